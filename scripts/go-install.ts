/**
 * Builds Go programs with `go install` into the per-user cache, for the Temporal CLI and the test cluster's
 * server binaries alike: `${XDG_CACHE_HOME:-~/.cache}/order-review/<name>-<version>/`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Log = (msg: string) => void;

export function orderReviewCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'order-review');
}

export function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable `name` on PATH, like `which`. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export class GoBuildError extends Error {}

export interface GoInstallOptions {
  go: string;
  /** Package paths of one module, all built at `version`. */
  packages: string[];
  version: string;
  /** Binary name `go install` writes (the package's last path element) → file name in `cacheDir`. */
  outputs: Record<string, string>;
  cacheDir: string;
  /** For messages: "Temporal CLI 1.5.1". */
  what: string;
  /** For messages: "about 5 minutes". */
  estimate: string;
  /** How to try again after an interruption: "run `npm install` again". */
  retry: string;
  /** Appended to the failure message. */
  failureHint?: string;
  log: Log;
}

/**
 * `go install` into a private temp dir, then an atomic rename of each binary into the cache: a build that is
 * killed halfway (Ctrl-C, CI timeout) never leaves a truncated binary where the next run would trust it.
 */
export async function goInstallIntoCache(opts: GoInstallOptions): Promise<void> {
  const { go, cacheDir, log } = opts;
  fs.mkdirSync(cacheDir, { recursive: true });
  removeAbandonedBuilds(cacheDir);
  const tmpDir = fs.mkdtempSync(path.join(cacheDir, `.build-${process.pid}-`));
  const started = Date.now();
  const elapsed = (): string => `${Math.round((Date.now() - started) / 1000)}s`;
  const goVersion = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  log(`building ${opts.what} with ${goVersion || go} into ${cacheDir} (once per machine, ${opts.estimate})...`);

  const tail: string[] = [];
  let packages = 0;
  let downloads = 0;
  let lastLine = '';
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(go, ['install', '-v', ...opts.packages.map((p) => `${p}@v${opts.version}`)], {
        env: {
          ...process.env,
          GOBIN: tmpDir,
          // Build with the Go that is installed; an explicit GOTOOLCHAIN (e.g. "auto") still wins.
          GOTOOLCHAIN: process.env.GOTOOLCHAIN || 'local',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const onData = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          if (line.startsWith('go: downloading')) downloads++;
          else packages++;
          lastLine = line.trim();
          tail.push(line);
          if (tail.length > 40) tail.shift();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      // A steady heartbeat instead of thousands of package names: CI logs show progress without drowning.
      const heartbeat = setInterval(() => {
        log(`  ... ${elapsed()}: ${downloads} modules downloaded, ${packages} packages compiled (${lastLine})`);
      }, 15_000);
      const forward = (signal: NodeJS.Signals): void => {
        child.kill(signal);
      };
      process.once('SIGINT', forward);
      process.once('SIGTERM', forward);
      child.on('error', (err) => {
        clearInterval(heartbeat);
        reject(err);
      });
      child.on('close', (exitCode) => {
        clearInterval(heartbeat);
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
        resolve(exitCode);
      });
    });
    if (code === null) throw new GoBuildError(`building ${opts.what} was interrupted after ${elapsed()}; ${opts.retry}`);
    const built = Object.keys(opts.outputs).map((name) => path.join(tmpDir, exe(name)));
    if (code !== 0 || !built.every(isExecutable)) {
      throw new GoBuildError(
        `building ${opts.what} failed (go install exited with ${code}) after ${elapsed()}. Last output:\n` +
          tail.map((l) => `  ${l}`).join('\n') +
          (opts.failureHint ? `\n${opts.failureHint}` : ''),
      );
    }
    for (const [name, target] of Object.entries(opts.outputs)) fs.renameSync(path.join(tmpDir, exe(name)), path.join(cacheDir, exe(target)));
    log(`built ${opts.what} in ${elapsed()}: ${cacheDir}`);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

export function exe(name: string): string {
  return process.platform === 'win32' ? `${name}.exe` : name;
}

/** Temp dirs of builds whose process died (SIGKILL, power loss): the binary was never renamed into place. */
function removeAbandonedBuilds(cacheDir: string): void {
  for (const name of fs.readdirSync(cacheDir)) {
    const pid = /^\.build-(\d+)-/.exec(name)?.[1];
    if (!pid) continue;
    let alive = true;
    try {
      process.kill(Number(pid), 0);
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) fs.rmSync(path.join(cacheDir, name), { recursive: true, force: true });
  }
}
