/**
 * Child processes of the test cluster and of the product under test: each with its own log file, and recorded in
 * a pid registry so that a run which dies halfway (a failed hook, a killed test worker) is cleaned up by whoever
 * reads the registry next (the suite's global teardown, or the next run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export interface Proc {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  exited(): boolean;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
}

/** Start time of a process in clock ticks since boot (/proc/<pid>/stat field 22): a pid plus this names one process. */
function startTicks(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Appends `pid starttime name` lines; killRegistered() ends those still alive (and still the same process). */
export class PidRegistry {
  constructor(readonly file: string) {}

  add(pid: number, name: string): void {
    fs.appendFileSync(this.file, `${pid} ${startTicks(pid) ?? '?'} ${name}\n`);
  }

  /** SIGKILLs every registered process that still runs; returns their names. */
  killRegistered(): string[] {
    if (!fs.existsSync(this.file)) return [];
    const killed: string[] = [];
    for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
      const [pid, ticks, ...name] = line.split(' ');
      if (!pid || !ticks || ticks === '?') continue;
      // The same pid with another start time is an unrelated process that reused the number: leave it alone.
      if (startTicks(Number(pid)) !== ticks) continue;
      try {
        process.kill(Number(pid), 'SIGKILL');
        killed.push(name.join(' '));
      } catch {
        // already gone
      }
    }
    return killed;
  }
}

export function spawnLogged(
  name: string,
  cmd: string,
  args: string[],
  /** detached: its own process group (its pid is the group id), for a kill of the whole group. */
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string; registry?: PidRegistry; detached?: boolean },
): Proc {
  const out = fs.openSync(opts.logFile, 'a');
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', out, out], detached: opts.detached });
  fs.closeSync(out);
  if (child.pid) opts.registry?.add(child.pid, name);
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    child,
    logFile: opts.logFile,
    exited,
    tail: (lines = 30) => {
      try {
        // Server logs are JSON lines with stack traces: the start of each line says enough.
        const all = fs.readFileSync(opts.logFile, 'utf8').trimEnd().split('\n');
        return all.slice(-lines).map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n');
      } catch {
        return '';
      }
    },
    kill: async () => {
      if (!exited()) child.kill('SIGKILL');
      await gone;
    },
    stop: async (graceMs = 15_000) => {
      if (exited()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
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

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Distinct free ports below Linux's ephemeral range (32768+): Temporal stores membership ports in a PostgreSQL
 * smallint, and a port outside the ephemeral range is not taken meanwhile by some process's outgoing connection.
 */
export async function freePorts(n: number, range: [number, number] = [20_000, 32_767]): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < n; attempt++) {
    if (attempt > 1000) throw new Error(`no ${n} free ports in ${range[0]}-${range[1]}`);
    const port = range[0] + Math.floor(Math.random() * (range[1] - range[0]));
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Polls `check` until it answers true; rejects with `what` (and the process's log tail) after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, opts: { timeoutMs: number; proc?: Proc; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (opts.proc?.exited()) throw new Error(`${opts.proc.name} exited while waiting for ${what}:\n${opts.proc.tail()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${opts.proc ? `; ${opts.proc.name}'s log:\n${opts.proc.tail()}` : ''}`);
}
