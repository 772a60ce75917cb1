import 'vitest';

declare module 'vitest' {
  /** Values test/global-setup.ts provides to the integration tests via `inject`. */
  export interface ProvidedContext {
    /** host:port of the run's Temporal dev server. */
    temporalAddress: string;
    temporalNamespace: string;
    /** The workflow code, bundled once per run, for `workflowBundle: { codePath }`. */
    workflowBundlePath: string;
  }
}
