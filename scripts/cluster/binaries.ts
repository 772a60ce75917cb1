/**
 * The Temporal server and its SQL schema tool for the test cluster, built from source with Go into the per-user
 * cache like the CLI (scripts/temporal-cli.ts). Pinned to the server the CLI embeds, so the cluster runs the
 * same server code as `npm start` and `npm test`, and most of the Go build cache is already warm.
 */
import path from 'node:path';
import { exe, findOnPath, goInstallIntoCache, isExecutable, type Log, orderReviewCacheDir } from '../go-install';

export const TEMPORAL_SERVER_VERSION = '1.29.1';
const MODULE = 'go.temporal.io/server';

export interface ServerBinaries {
  /** `temporal-server` (cmd/server): runs one or more services from a config directory. */
  server: string;
  /** `temporal-sql-tool` (cmd/tools/sql): creates and migrates the PostgreSQL databases (schemas embedded). */
  sqlTool: string;
}

export function temporalServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(orderReviewCacheDir(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/** The cached binaries, built first when missing (needs Go >= 1.25 and the Go module proxy). */
export async function resolveServerBinaries(log: Log): Promise<ServerBinaries> {
  const dir = temporalServerCacheDir();
  const binaries = { server: path.join(dir, exe('temporal-server')), sqlTool: path.join(dir, exe('temporal-sql-tool')) };
  if (isExecutable(binaries.server) && isExecutable(binaries.sqlTool)) return binaries;
  const go = findOnPath(exe('go'));
  if (!go) throw new Error(`the test cluster needs Go >= 1.25 to build Temporal server ${TEMPORAL_SERVER_VERSION} into ${dir}`);
  await goInstallIntoCache({
    go,
    packages: [`${MODULE}/cmd/server`, `${MODULE}/cmd/tools/sql`],
    version: TEMPORAL_SERVER_VERSION,
    outputs: { server: 'temporal-server', sql: 'temporal-sql-tool' },
    cacheDir: dir,
    what: `Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool`,
    estimate: 'about 3 minutes after the CLI, 8 on a cold Go cache',
    retry: 'run the cluster suite again',
    failureHint: `Temporal server ${TEMPORAL_SERVER_VERSION} needs Go >= 1.25; with an older Go, set GOTOOLCHAIN=auto.`,
    log,
  });
  return binaries;
}
