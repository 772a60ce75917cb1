/**
 * Child processes of a benchmark run: the Temporal dev server (file-backed with the shipped pragmas, or in
 * memory), the product's worker and API in their production shape, and the baseline worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { devServerDynamicConfigArgs } from '../../scripts/dev-server';

export interface Child {
  proc: ChildProcess;
  name: string;
  stop(): Promise<void>;
  /** Resident set size in bytes, from /proc (Linux). */
  rssBytes(): number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function rss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Spawns a process and resolves once a line of its output matches `ready` (or rejects on exit/timeout). */
export async function spawnChild(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number; logFile: string },
): Promise<Child> {
  const out = fs.createWriteStream(opts.logFile);
  const proc = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(out);
  proc.stderr.pipe(out);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${opts.timeoutMs ?? 60_000} ms (log: ${opts.logFile})`)), opts.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      if (opts.ready.test(chunk.toString())) {
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        proc.stderr.off('data', onData);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready (log: ${opts.logFile})`));
    });
  });
  return {
    proc,
    name,
    rssBytes: () => rss(proc.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}

export interface TemporalServer extends Child {
  address: string;
  storage: 'file' | 'memory';
  pragmas: string[];
}

/** The shipped pragmas of scripts/dev-server.ts: WAL + synchronous=NORMAL. */
export const SHIPPED_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export async function startTemporal(cli: string, dir: string, storage: 'file' | 'memory'): Promise<TemporalServer> {
  const port = await freePort();
  // BENCH_NO_EAGER=1: the server's defaults (no eager activity execution), to measure what the setting buys.
  const dynamic = process.env.BENCH_NO_EAGER === '1' ? [] : devServerDynamicConfigArgs();
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'error', ...dynamic];
  const pragmas = storage === 'file' ? SHIPPED_PRAGMAS : [];
  if (storage === 'file') {
    args.push('--db-filename', path.join(dir, `temporal-${port}.db`));
    for (const p of pragmas) args.push('--sqlite-pragma', p);
  }
  const child = await spawnChild(`temporal (${storage})`, cli, args, {
    ready: /./, // the CLI prints its addresses once the frontend is up; we also probe the port below
    logFile: path.join(dir, `temporal-${storage}.log`),
    timeoutMs: 60_000,
  }).catch(async () => {
    throw new Error(`temporal dev server (${storage}) did not start`);
  });
  await waitForPort(port, 60_000);
  return { ...child, address: `127.0.0.1:${port}`, storage, pragmas };
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`port ${port} not open after ${timeoutMs} ms`);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; clock ticks of 1/100 s). */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds each named process spends while `fn` runs. */
export async function measureCpu<T>(pids: Record<string, number | undefined>, fn: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const self = process.cpuUsage();
  const result = await fn();
  const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid) - before[k]!]));
  const used = process.cpuUsage(self);
  cpu.driver = (used.user + used.system) / 1e6;
  return { result, cpu };
}

/**
 * Runs a TypeScript entry point in ONE node process (`node --import tsx`): the `tsx` binary would fork a child,
 * and the pid we measure (CPU, memory) must be the process doing the work.
 */
export function spawnTs(name: string, file: string, opts: Parameters<typeof spawnChild>[3]): Promise<Child> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each such process (main and worker threads) on exit.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // BENCH_TRACE_GC=1 writes V8's GC trace (each pause, ms since start) into the process's log file.
  const gc = process.env.BENCH_TRACE_GC ? ['--trace-gc'] : [];
  return spawnChild(name, process.execPath, [...prof, ...gc, '--import', 'tsx', file], opts);
}
