/**
 * `npx tsx scripts/cluster/ensure-binaries.ts`: builds the test cluster's Temporal server and SQL tool into the
 * per-user cache when missing (CI runs it as its own timed phase before `npm run test:cluster`).
 */
import { resolveServerBinaries } from './binaries';

resolveServerBinaries((msg) => console.log(`[cluster-binaries] ${msg}`)).then(
  (b) => console.log(`[cluster-binaries] ${b.server}\n[cluster-binaries] ${b.sqlTool}`),
  (err: unknown) => {
    console.error(`[cluster-binaries] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
