/**
 * The product's process tree for the reliability suite, on one DATA_DIR as `npm start` keeps it: the Temporal CLI dev
 * server started by the product's own code (scripts/dev-server.ts: temporal.db in DATA_DIR, the pid file a restart
 * reads), worker.ts and server.ts as separate processes (`node --import tsx`, so a SIGKILL reaches the real node
 * process, not a wrapper). Each part can be SIGKILLed and started again on the same ports; every process is recorded
 * in a pid registry so that a run that dies halfway leaves nothing behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDevServer } from '../../scripts/dev-server';
import { freePorts, type PidRegistry, type Proc, spawnLogged, waitFor } from '../../scripts/cluster/processes';
import { resolveTemporalCli, temporalCliHelp } from '../../scripts/temporal-cli';

const ROOT = path.resolve(__dirname, '../..');

/** worker.ts, server.ts, the Temporal dev server; `start`: `npm start`'s process group (npm, tsx, scripts/start.ts). */
export type Part = 'worker' | 'api' | 'temporal' | 'start';

export interface Tree {
  dir: string;
  dataDir: string;
  apiUrl: string;
  temporalAddress: string;
  taskQueue: string;
  adminToken: string;
  /** SIGKILLs the given parts at once; resolves once each is gone. */
  kill(parts: Part[]): Promise<void>;
  /** Starts the given parts (the dev server first); resolves once each is up (worker polling, API ready). */
  start(parts: Part[]): Promise<void>;
  /** Graceful stop of whatever runs (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
  /** The pid of the dev server now recorded in DATA_DIR/temporal.pid. */
  temporalPid(): number | undefined;
  /** The last lines of every part's logs, for failure messages. */
  logs(): string;
}

export interface TreeOptions {
  dir: string;
  registry?: PidRegistry;
  env?: Record<string, string>;
  log?: (msg: string) => void;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startTree(opts: TreeOptions): Promise<Tree> {
  const log = opts.log ?? (() => {});
  const dataDir = path.join(opts.dir, 'data');
  const logs = path.join(opts.dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const cli = await resolveTemporalCli({ build: true, log });
  if (!cli) throw new Error(temporalCliHelp());
  const [apiPort, devPort, uiPort] = await freePorts(3);
  const temporalAddress = `127.0.0.1:${devPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const taskQueue = `chaos-${randomBytes(4).toString('hex')}`;
  const adminToken = `chaos-admin-${randomBytes(18).toString('hex')}`;
  const env = {
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: temporalAddress,
    TASK_QUEUE: taskQueue,
    ADMIN_TOKEN: adminToken,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
    // As npm start sets it: the receiver runs on loopback.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // One load principal would reach the production limit (600/min) in seconds.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...opts.env,
  };

  let temporalPid: number | undefined;
  let worker: Proc | undefined;
  let api: Proc | undefined;
  const incarnation: Record<string, number> = {};
  const logFile = (name: string) => path.join(logs, `${name}.${(incarnation[name] = (incarnation[name] ?? 0) + 1)}.log`);
  const temporalLog: string[] = [];

  const tsx = (name: string, file: string): Proc => {
    const proc = spawnLogged(name, process.execPath, ['--import', 'tsx', path.join(ROOT, file)], {
      cwd: ROOT,
      env,
      logFile: logFile(name),
      registry: opts.registry,
    });
    return proc;
  };

  const startTemporal = async (): Promise<void> => {
    // The product's start path: a pid file left by a killed server is read, and a live leftover stopped, first.
    await startDevServer({
      cli,
      dataDir,
      port: devPort!,
      uiPort: uiPort!,
      namespace: 'default',
      log: (m) => temporalLog.push(m),
    });
    temporalPid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'), 10);
    opts.registry?.add(temporalPid, 'temporal dev server');
  };
  const startWorker = async (): Promise<void> => {
    const proc = (worker = tsx('worker', 'worker.ts'));
    await waitFor('worker polling', async () => fs.readFileSync(proc.logFile, 'utf8').includes('worker polling'), { timeoutMs: 120_000, proc });
  };
  const startApi = async (): Promise<void> => {
    const proc = (api = tsx('api', 'server.ts'));
    await waitFor('API /healthz', () => fetch(`${apiUrl}/healthz`).then((r) => r.ok), { timeoutMs: 90_000, proc });
  };

  const killTemporal = async (): Promise<void> => {
    const pid = temporalPid;
    if (!pid || !isAlive(pid)) return;
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
  };

  const tree: Tree = {
    dir: opts.dir,
    dataDir,
    apiUrl,
    temporalAddress,
    taskQueue,
    adminToken,
    async kill(parts) {
      await Promise.all(
        parts.map((p) => (p === 'worker' ? worker?.kill() : p === 'api' ? api?.kill() : killTemporal())),
      );
    },
    async start(parts) {
      if (parts.includes('temporal')) await startTemporal();
      await Promise.all([parts.includes('worker') ? startWorker() : undefined, parts.includes('api') ? startApi() : undefined]);
      // Ready: the API answers and a worker polls the task queue (/readyz checks both).
      await waitFor('API /readyz', () => fetch(`${apiUrl}/readyz`).then((r) => r.ok), { timeoutMs: 60_000, proc: api });
    },
    async stop() {
      await Promise.all([api?.stop(10_000), worker?.stop(15_000)]);
      const pid = temporalPid;
      if (pid && isAlive(pid)) {
        process.kill(pid, 'SIGTERM');
        const deadline = Date.now() + 10_000;
        while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
        while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
      }
      fs.rmSync(path.join(dataDir, 'temporal.pid'), { force: true });
    },
    temporalPid: () => temporalPid,
    logs() {
      const parts = [worker, api].filter((p): p is Proc => !!p).map((p) => `--- ${p.name} (${p.logFile}):\n${p.tail(20)}`);
      return [...parts, `--- temporal:\n${temporalLog.slice(-20).join('\n')}`].join('\n');
    },
  };
  try {
    await tree.start(['temporal', 'worker', 'api']);
  } catch (err) {
    await tree.kill(['worker', 'api', 'temporal']);
    throw err;
  }
  return tree;
}

/** The processes of a process group (field 5 of /proc/<pid>/stat). */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function gone(pids: number[]): Promise<void> {
  while (pids.some(isAlive)) await new Promise((r) => setTimeout(r, 20));
}

/**
 * `npm start` itself (npm, tsx, scripts/start.ts with the worker and the API in one process) in its own process group,
 * with the embedded dev server it starts in another group (as it does, so a terminal's Ctrl-C reaches only start.ts).
 * Parts: `start` (the npm process group) and `temporal` (the dev server, found through DATA_DIR/temporal.pid).
 * Killing `start` alone leaves the dev server running without its owner, as `kill -9` of npm start does.
 */
export async function startNpmTree(opts: TreeOptions): Promise<Tree> {
  const dataDir = path.join(opts.dir, 'data');
  const logs = path.join(opts.dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const [apiPort, devPort, uiPort] = await freePorts(3);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const taskQueue = `chaos-${randomBytes(4).toString('hex')}`;
  const adminToken = `chaos-admin-${randomBytes(18).toString('hex')}`;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    TASK_QUEUE: taskQueue,
    ADMIN_TOKEN: adminToken,
    PORT: String(apiPort),
    // Empty: the embedded server, whatever the caller's environment says.
    TEMPORAL_ADDRESS: '',
    TEMPORAL_DEV_PORT: String(devPort),
    TEMPORAL_UI_PORT: String(uiPort),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...opts.env,
  };
  let start: Proc | undefined;
  let n = 0;
  const temporalPid = (): number | undefined => {
    try {
      return Number.parseInt(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'), 10) || undefined;
    } catch {
      return undefined;
    }
  };
  const killGroup = async (): Promise<void> => {
    const pgid = start?.child.pid;
    if (!pgid) return;
    const members = groupMembers(pgid);
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
    await gone(members);
    await start!.kill();
  };
  const killTemporal = async (): Promise<void> => {
    const pid = temporalPid();
    if (!pid || !isAlive(pid)) return;
    process.kill(pid, 'SIGKILL');
    await gone([pid]);
  };

  const tree: Tree = {
    dir: opts.dir,
    dataDir,
    apiUrl,
    temporalAddress: `127.0.0.1:${devPort}`,
    taskQueue,
    adminToken,
    async kill(parts) {
      await Promise.all([parts.includes('start') ? killGroup() : undefined, parts.includes('temporal') ? killTemporal() : undefined]);
    },
    async start() {
      const proc = (start = spawnLogged('npm-start', 'npm', ['start'], {
        cwd: ROOT,
        env,
        logFile: path.join(logs, `npm-start.${++n}.log`),
        registry: opts.registry,
        detached: true,
      }));
      await waitFor('npm start ready', async () => fs.readFileSync(proc.logFile, 'utf8').includes('"msg":"ready in'), { timeoutMs: 120_000, proc });
      for (const pid of groupMembers(proc.child.pid!)) if (pid !== proc.child.pid) opts.registry?.add(pid, 'npm start');
      const dev = temporalPid();
      if (dev) opts.registry?.add(dev, 'temporal dev server (npm start)');
      await waitFor('API /readyz', () => fetch(`${apiUrl}/readyz`).then((r) => r.ok), { timeoutMs: 60_000, proc });
    },
    async stop() {
      const pgid = start?.child.pid;
      if (pgid && !start!.exited()) {
        // As a terminal's Ctrl-C: start.ts stops the API, the worker, then its dev server.
        try {
          process.kill(-pgid, 'SIGINT');
        } catch {
          // gone
        }
        const deadline = Date.now() + 30_000;
        while (!start!.exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      }
      await killGroup();
      await killTemporal();
    },
    temporalPid,
    logs() {
      return start ? `--- ${start.name} (${start.logFile}):\n${start.tail(30)}` : '';
    },
  };
  try {
    await tree.start(['start']);
  } catch (err) {
    await tree.kill(['start', 'temporal']);
    throw err;
  }
  return tree;
}
