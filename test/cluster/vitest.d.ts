import 'vitest';
import type { ServerBinaries } from '../../scripts/cluster/binaries';
import type { PostgresCluster } from '../../scripts/cluster/postgres';

declare module 'vitest' {
  /** Values test/cluster/global-setup.ts provides to the cluster suite via `inject`. */
  export interface ProvidedContext {
    temporalCli: string;
    serverBinaries: ServerBinaries;
    postgres: PostgresCluster;
    /** Parent of each suite's cluster and product directories. */
    clusterRunDir: string;
    /** The pid registry the teardown reads to end whatever a failed suite left running. */
    clusterPidFile: string;
  }
}
