/**
 * The embedded Temporal dev server of `npm start`: persisted in DATA_DIR/temporal.db, bound to loopback only, with
 * the product's search attributes registered (workflows/search-attributes.ts), so the Web UI and
 * `temporal workflow list --query` find orders by status, customer and awaiting department.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CLI_SEARCH_ATTRIBUTE_TYPE, OrderAwaitingDepartments, OrderCustomerId, OrderStatus } from '../workflows/search-attributes';
import type { Log } from './temporal-cli';

/** Registered by every start (the dev server accepts a name it already has with the same type). */
const SEARCH_ATTRIBUTES = [OrderStatus, OrderCustomerId, OrderAwaitingDepartments];

export interface DevServerOptions {
  /** Path of the Temporal CLI; undefined falls back to the SDK's download (needs internet). */
  cli: string | undefined;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: Log;
  /** Where the server's own error lines go (default: `log`). */
  serverLog?: (line: string) => void;
  /** How long to wait for the gRPC port; the first start on a slow disk takes a few seconds. */
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

const IP = '127.0.0.1';
const STOP_GRACE_MS = 10_000;

/**
 * WAL + synchronous=NORMAL: the server's state survives a crash of any of our processes; only an OS crash may
 * lose the last transactions. synchronous=OFF would risk a corrupt temporal.db and is never used.
 */
const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/**
 * Server settings every dev server of ours runs with (npm start, the tests, the benchmarks). Eager activity
 * execution: a workflow task that schedules an activity on its own task queue gets the activity back in the answer
 * to its completion when the worker has a free slot, instead of the activity waiting in matching for the next poll.
 * Each decision's durability barrier (workflows/handlers.ts) is such an activity; the server's default is off.
 * A cluster sets the same key in its dynamic config (scripts/cluster/server-config.ts, README "Production shape").
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, string> = { 'system.enableActivityEagerExecution': 'true' };
export const devServerDynamicConfigArgs = (): string[] =>
  Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${v}`]);

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dbFilename = path.join(opts.dataDir, 'temporal.db');
  const address = `${IP}:${opts.port}`;
  const uiUrl = `http://${IP}:${opts.uiPort}`;

  if (!opts.cli) {
    opts.log('no local Temporal CLI; letting the Temporal SDK download one (needs internet access to GitHub)');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: IP,
        port: opts.port,
        ui: true,
        uiPort: opts.uiPort,
        dbFilename,
        namespace: opts.namespace,
        searchAttributes: SEARCH_ATTRIBUTES,
        extraArgs: [...SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]), ...devServerDynamicConfigArgs()],
      },
    });
    opts.log(`Temporal dev server (SDK download) on ${address}, UI ${uiUrl}`);
    return { address, uiUrl, stop: () => env.teardown() };
  }

  const pidFile = path.join(opts.dataDir, 'temporal.pid');
  await killStaleServer(pidFile, opts.log);
  await assertPortFree(opts.port, 'TEMPORAL_DEV_PORT');
  await assertPortFree(opts.uiPort, 'TEMPORAL_UI_PORT');

  const args = ['server', 'start-dev', '--ip', IP, '--port', String(opts.port), '--ui-port', String(opts.uiPort)];
  args.push('--db-filename', dbFilename);
  if (opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const p of SQLITE_PRAGMAS) args.push('--sqlite-pragma', p);
  for (const a of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${a.name}=${CLI_SEARCH_ATTRIBUTE_TYPE[a.type]}`);
  args.push(...devServerDynamicConfigArgs());
  args.push('--log-level', 'warn');

  // Own process group: a Ctrl-C in the terminal reaches only us, and we stop the server last, after the worker
  // has drained; otherwise the server would die under a worker still finishing its tasks.
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  let stopping = false;
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 30) output.shift();
      // At warn level the server is chatty about transient dial errors, and noisy while it stops: pass on only
      // real errors while it runs; everything stays in `output` for a failed start.
      if (!stopping && /level=(ERROR|FATAL)|^panic|^fatal/i.test(line)) (opts.serverLog ?? opts.log)(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<number | string | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? code));
    child.on('error', (err) => {
      output.push(String(err));
      resolve(`spawn error: ${err.message}`);
    });
  });
  if (child.pid === undefined) {
    const how = await exited;
    throw new Error(`could not start ${opts.cli}: ${String(how)}`);
  }
  // Line 1: the server; line 2: its owner, so a later start can tell a crashed run from a live one.
  fs.writeFileSync(pidFile, `${child.pid}\n${process.pid}\n`);
  // If this process dies without running stop() (uncaught error), do not leave the server behind.
  const onExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      process.off('exit', onExit);
      await terminate(child, exited);
      fs.rmSync(pidFile, { force: true });
    })();
    return stopped;
  };

  try {
    await waitUntilReady(address, opts.namespace, opts.readyTimeoutMs ?? 60_000, exited, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  opts.log(`Temporal dev server (pid ${child.pid}) on ${address}, UI ${uiUrl}, search attributes ${SEARCH_ATTRIBUTES.map((a) => a.name).join(', ')}`);
  return { address, uiUrl, stop };
}

async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Polls the frontend until it answers and the namespace exists, or fails with the server's last output. */
async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: Promise<number | string | null>,
  output: () => string[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: { how: number | string | null } | undefined;
  void exited.then((how) => {
    exit = { how };
  });
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exit) break;
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const why = exit
    ? `the server exited (${String(exit.how)})`
    : `it did not answer within ${Math.round(timeoutMs / 1000)}s (last error: ${String(lastError)})`;
  throw new Error(`Temporal dev server on ${address} failed to start: ${why}. Last server output:\n${output().map((l) => `  ${l}`).join('\n')}`);
}

async function assertPortFree(port: number, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `port ${IP}:${port} is already in use (another Temporal server?). Stop it, choose another port with ${variable}, or use it with TEMPORAL_ADDRESS=${IP}:${port}`
            : `cannot listen on ${IP}:${port}: ${err.message}`,
        ),
      );
    });
    srv.listen({ host: IP, port, exclusive: true }, () => srv.close(() => resolve()));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandOf(pid: number): string {
  try {
    return path.basename(fs.readlinkSync(`/proc/${pid}/exe`));
  } catch {
    const ps = spawnSync('ps', ['-p', String(pid), '-o', 'comm='], { encoding: 'utf8' });
    return path.basename(ps.stdout?.trim() ?? '');
  }
}

/**
 * A server left behind by a crashed `npm start` still holds the port and temporal.db: stop it. One whose owner is
 * still alive belongs to another running instance on the same DATA_DIR, which we must not touch.
 */
async function killStaleServer(pidFile: string, log: Log): Promise<void> {
  let content: string;
  try {
    content = fs.readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  const [pid, owner] = content.split('\n').map((s) => Number.parseInt(s, 10));
  if (pid && isAlive(pid) && commandOf(pid).startsWith('temporal')) {
    if (owner && owner !== process.pid && isAlive(owner) && commandOf(owner).startsWith('node')) {
      throw new Error(
        `another instance (pid ${owner}) is running with this DATA_DIR and its Temporal server (pid ${pid}); stop it first`,
      );
    }
    log(`stopping a Temporal server left by a previous run (pid ${pid})`);
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
  fs.rmSync(pidFile, { force: true });
}
