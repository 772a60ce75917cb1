import 'vitest';

declare module 'vitest' {
  /** Values test/chaos/global-setup.ts provides to the reliability suite via `inject`. */
  export interface ProvidedContext {
    /** Parent of each suite's DATA_DIR and logs. */
    chaosRunDir: string;
    /** The pid registry the teardown reads to end whatever a failed suite left running. */
    chaosPidFile: string;
  }
}
