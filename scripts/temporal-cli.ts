/**
 * Finds (or builds) the Temporal CLI that runs our embedded dev server and the test server.
 *
 * Resolution order: $TEMPORAL_CLI → `temporal` on PATH → the per-user cache → a Go build into that cache.
 * The SDK's own download (`cached-download`) is the callers' last resort: it needs internet access to GitHub,
 * which CI and many company networks do not have, while the Go module proxy usually is reachable.
 */
import path from 'node:path';
import { exe, findOnPath, GoBuildError, goInstallIntoCache, isExecutable, type Log, orderReviewCacheDir } from './go-install';

export { findOnPath, type Log };

/** The one place the CLI version is pinned (it bundles Temporal server 1.29.1). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

const EXE = exe('temporal');

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(orderReviewCacheDir(env), `temporal-${TEMPORAL_CLI_VERSION}`);
}

export function cachedTemporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(temporalCliCacheDir(env), EXE);
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

async function buildTemporalCli(go: string, target: string, log: Log): Promise<void> {
  try {
    await goInstallIntoCache({
      go,
      packages: [TEMPORAL_CLI_MODULE],
      version: TEMPORAL_CLI_VERSION,
      outputs: { temporal: 'temporal' },
      cacheDir: path.dirname(target),
      what: `Temporal CLI ${TEMPORAL_CLI_VERSION}`,
      estimate: 'about 5 minutes',
      retry: 'run `npm install` again',
      failureHint: `Temporal CLI ${TEMPORAL_CLI_VERSION} needs Go >= 1.25; with an older Go, set GOTOOLCHAIN=auto or TEMPORAL_CLI.`,
      log,
    });
  } catch (err) {
    throw err instanceof GoBuildError ? new TemporalCliError(err.message) : err;
  }
}
