/**
 * PostgreSQL for the test cluster: Debian's cluster (`pg_lsclusters`), started when it is down, and per run a
 * role with its own password and two databases named after the run, so runs never share state and a rerun after
 * a crash starts clean. Administration runs as the `postgres` OS user through `psql` (peer authentication);
 * Temporal connects over TCP with the run's password.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { findOnPath, type Log } from '../go-install';

export interface PostgresCluster {
  host: string;
  port: number;
  /** `15/main`: what pg_ctlcluster calls it. */
  name: string;
  /** True when this process started it (and so stops it in stopPostgres). */
  startedHere: boolean;
}

export interface RunDatabases {
  user: string;
  password: string;
  temporal: string;
  visibility: string;
}

/** A run's role and databases carry the pid of the process that made them: `orc_<pid>_<hex>`. */
const RUN_PREFIX = 'orc_';
const RUN_ROLE = /^orc_(\d+)_[0-9a-f]+$/;
/** LIKE pattern of the run names (`_` escaped: it is LIKE's any-character). */
const RUN_LIKE = `${RUN_PREFIX.replace(/_/g, '\\_')}%`;

function helpMissing(): string {
  return (
    'the test cluster needs PostgreSQL (Debian: `apt-get install postgresql`; .ci/run installs it): ' +
    'no pg_lsclusters / pg_ctlcluster on PATH'
  );
}

/** Finds Debian's PostgreSQL cluster and starts it when it is down. */
export function ensurePostgres(log: Log): PostgresCluster {
  if (!findOnPath('pg_lsclusters') || !findOnPath('pg_ctlcluster')) throw new Error(helpMissing());
  const lines = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  if (lines.length === 0) throw new Error('pg_lsclusters lists no PostgreSQL cluster (Debian: `pg_createcluster 15 main`)');
  // Prefer one that already runs; else the newest version.
  const clusters = lines.map((l) => {
    const [version, name, port, status] = l.trim().split(/\s+/);
    return { version: version!, name: name!, port: Number(port), online: status === 'online' };
  });
  const pick = clusters.find((c) => c.online) ?? clusters.sort((a, b) => Number(b.version) - Number(a.version))[0]!;
  const cluster = { host: '127.0.0.1', port: pick.port, name: `${pick.version}/${pick.name}`, startedHere: false };
  if (!pick.online) {
    log(`starting PostgreSQL ${cluster.name} on port ${cluster.port}`);
    // --skip-systemctl-redirect: containers and CI machines have no systemd to hand the start to.
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', pick.version, pick.name, 'start'], { stdio: 'inherit' });
    cluster.startedHere = true;
  }
  return cluster;
}

/** Stops PostgreSQL if this process started it and no other run still has databases in it. */
export function stopPostgres(pg: PostgresCluster, log: Log): void {
  if (!pg.startedHere) return;
  const others = psql(pg, `SELECT count(*) FROM pg_database WHERE datname LIKE '${RUN_LIKE}'`).trim();
  if (others !== '0') {
    log(`leaving PostgreSQL ${pg.name} running: ${others} database(s) of other runs remain`);
    return;
  }
  const [version, name] = pg.name.split('/');
  log(`stopping PostgreSQL ${pg.name} (started by this run)`);
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, name!, 'stop'], { stdio: 'inherit' });
}

/** Runs SQL as the `postgres` superuser; returns the unaligned, tuples-only output. */
export function psql(pg: PostgresCluster, sql: string): string {
  const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-p', String(pg.port), '-d', 'postgres', '-c', sql];
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', 'psql', ...args]] : ['sudo', ['-n', '-u', 'postgres', 'psql', ...args]];
  const res = spawnSync(cmd, argv, { encoding: 'utf8', cwd: '/' });
  if (res.status !== 0) throw new Error(`psql as postgres failed (${cmd}): ${res.stderr || res.error?.message}\nSQL: ${sql}`);
  return res.stdout;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops the databases and roles of runs whose process is gone (a crash, a SIGKILLed CI): a rerun then finds
 * PostgreSQL as clean as before the first run.
 */
export function dropAbandonedRuns(pg: PostgresCluster, log: Log): void {
  const roles = psql(pg, `SELECT rolname FROM pg_roles WHERE rolname LIKE '${RUN_LIKE}'`).split('\n').filter(Boolean);
  for (const role of roles) {
    const pid = Number(RUN_ROLE.exec(role)?.[1]);
    // Only names this module makes, and only when their process is gone.
    if (!pid || alive(pid)) continue;
    log(`dropping the databases of an abandoned run (${role})`);
    dropRunDatabases(pg, role);
  }
}

/** A role (LOGIN, CREATEDB: the SQL tool creates the databases) with a fresh password, for one run. */
export function createRunRole(pg: PostgresCluster): RunDatabases {
  const user = `${RUN_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  psql(pg, `CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '${password}'`);
  return { user, password, temporal: `${user}_temporal`, visibility: `${user}_visibility` };
}

/** Drops a run's databases (closing their connections) and its role. */
export function dropRunDatabases(pg: PostgresCluster, user: string): void {
  const dbs = psql(pg, `SELECT datname FROM pg_database WHERE datname LIKE '${user}\\_%'`).split('\n').filter(Boolean);
  for (const db of dbs) psql(pg, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  psql(pg, `DROP ROLE IF EXISTS ${user}`);
}

/**
 * Creates and migrates the `temporal` and `temporal_visibility` databases of a run with temporal-sql-tool and the
 * schemas embedded in it (postgresql/v12), exactly as an operator sets up a new cluster.
 */
export function createTemporalDatabases(sqlTool: string, pg: PostgresCluster, run: RunDatabases, log: Log): void {
  const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', run.user];
  const tool = (db: string, ...args: string[]): void => {
    // The password through the environment (the tool reads SQL_PASSWORD), not the process list.
    const res = spawnSync(sqlTool, [...base, '--db', db, ...args], { encoding: 'utf8', env: { ...process.env, SQL_PASSWORD: run.password } });
    if (res.status !== 0) throw new Error(`temporal-sql-tool ${args[0]} on ${db} failed:\n${res.stdout}\n${res.stderr}`);
  };
  for (const [db, schema] of [
    [run.temporal, 'postgresql/v12/temporal'],
    [run.visibility, 'postgresql/v12/visibility'],
  ] as const) {
    log(`creating and migrating ${db} (${schema})`);
    tool(db, 'create-database');
    tool(db, 'setup-schema', '-v', '0.0');
    tool(db, 'update-schema', '--schema-name', schema);
  }
}
