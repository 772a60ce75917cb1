/**
 * Finds (or builds) the Temporal CLI that runs our embedded dev server and the test server.
 *
 * Resolution order: $TEMPORAL_CLI → `temporal` on PATH → the per-user cache → a Go build into that cache.
 * The SDK's own download (`cached-download`) is the callers' last resort: it needs internet access to GitHub,
 * which CI and many company networks do not have, while the Go module proxy usually is reachable.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The one place the CLI version is pinned (it bundles Temporal server 1.29.1). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

export type Log = (msg: string) => void;

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'order-review', `temporal-${TEMPORAL_CLI_VERSION}`);
}

export function cachedTemporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(temporalCliCacheDir(env), EXE);
}

function isExecutable(file: string): boolean {
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

export class TemporalCliError extends Error {}

/** One actionable message for when no Temporal server can be found or built. */
export function temporalCliHelp(): string {
  return [
    'No Temporal CLI found. The embedded Temporal dev server and the test suite need it. Any one of these fixes it:',
    `  1. Install Go >= 1.25 (https://go.dev/dl/) and run \`npm install\` again: it builds Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    `     into ${temporalCliCacheDir()} (about 5 minutes, once per machine).`,
    '  2. Point TEMPORAL_CLI at an existing `temporal` binary (https://docs.temporal.io/cli), e.g.',
    '     TEMPORAL_CLI=/usr/local/bin/temporal npm start',
    '  3. Use a Temporal cluster you already run: TEMPORAL_ADDRESS=host:7233 npm start',
    'Without any of these, the Temporal SDK tries to download the CLI from GitHub, which needs internet access.',
  ].join('\n');
}

/**
 * Resolves the Temporal CLI binary, building it with Go when `build` is set and nothing else is found.
 * Returns undefined when there is none (callers fall back to the SDK's download). Throws TemporalCliError when
 * TEMPORAL_CLI points at something unusable or a Go build was attempted and failed.
 */
export async function resolveTemporalCli(opts: { build: boolean; log?: Log }): Promise<string | undefined> {
  const log = opts.log ?? (() => {});
  const env = process.env;

  if (env.TEMPORAL_CLI) {
    const file = path.resolve(env.TEMPORAL_CLI);
    // An explicit setting that does not work is an error, not a reason to silently pick another binary.
    if (!isExecutable(file)) throw new TemporalCliError(`TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file`);
    log(`using Temporal CLI from TEMPORAL_CLI: ${file}`);
    return file;
  }

  const onPath = findOnPath(EXE, env);
  if (onPath) {
    log(`using Temporal CLI on PATH: ${onPath}`);
    return onPath;
  }

  const cached = cachedTemporalCliPath(env);
  if (isExecutable(cached)) {
    log(`using cached Temporal CLI: ${cached}`);
    return cached;
  }

  if (!opts.build) return undefined;
  const go = findOnPath(process.platform === 'win32' ? 'go.exe' : 'go', env);
  if (!go) return undefined;

  await buildTemporalCli(go, cached, log);
  return cached;
}

/**
 * `go install` into a private temp dir, then an atomic rename into the cache: a build that is killed halfway
 * (Ctrl-C, CI timeout) never leaves a truncated binary where the next run would trust it.
 */
async function buildTemporalCli(go: string, target: string, log: Log): Promise<void> {
  const cacheDir = path.dirname(target);
  fs.mkdirSync(cacheDir, { recursive: true });
  removeAbandonedBuilds(cacheDir);
  const tmpDir = fs.mkdtempSync(path.join(cacheDir, `.build-${process.pid}-`));
  const started = Date.now();
  const elapsed = (): string => `${Math.round((Date.now() - started) / 1000)}s`;
  const goVersion = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  log(
    `building Temporal CLI ${TEMPORAL_CLI_VERSION} with ${goVersion || go} into ${cacheDir} ` +
      '(once per machine, about 5 minutes)...',
  );

  const tail: string[] = [];
  let packages = 0;
  let downloads = 0;
  let lastLine = '';
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(go, ['install', '-v', `${TEMPORAL_CLI_MODULE}@v${TEMPORAL_CLI_VERSION}`], {
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
    const built = path.join(tmpDir, EXE);
    if (code === null) throw new TemporalCliError(`building Temporal CLI was interrupted after ${elapsed()}; run \`npm install\` again`);
    if (code !== 0 || !isExecutable(built)) {
      throw new TemporalCliError(
        `building Temporal CLI failed (go install exited with ${code}) after ${elapsed()}. Last output:\n` +
          tail.map((l) => `  ${l}`).join('\n') +
          `\nTemporal CLI ${TEMPORAL_CLI_VERSION} needs Go >= 1.25; with an older Go, set GOTOOLCHAIN=auto or TEMPORAL_CLI.`,
      );
    }
    fs.renameSync(built, target);
    log(`built Temporal CLI in ${elapsed()}: ${target}`);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
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
