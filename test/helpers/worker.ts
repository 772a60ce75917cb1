/** A real Temporal worker for one test, running the workflow bundle built once by test/global-setup.ts. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';

export interface TestWorker {
  worker: Worker;
  /** Shuts the worker down and waits until it has stopped (and rethrows if it had crashed). */
  stop(): Promise<void>;
}

export async function startTestWorker(opts: {
  taskQueue: string;
  activities?: object;
  /** Reuse a connection (e.g. from connectTestClient); otherwise the worker opens and closes its own. */
  connection?: NativeConnection;
  /** Extra worker options, e.g. interceptors or a smaller sticky cache. */
  options?: Partial<Omit<WorkerOptions, 'connection' | 'taskQueue' | 'activities' | 'workflowBundle'>>;
}): Promise<TestWorker> {
  const ownConnection = opts.connection ? undefined : await NativeConnection.connect({ address: inject('temporalAddress') });
  const connection = opts.connection ?? ownConnection!;
  const worker = await Worker.create({
    connection,
    namespace: inject('temporalNamespace'),
    taskQueue: opts.taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: opts.activities ?? {},
    // Tests stop workers often: do not wait long for activities that will never finish.
    shutdownGraceTime: '1s',
    ...opts.options,
  });
  const running = worker.run();
  // Keep a crash visible to stop() without an unhandled rejection in between.
  let failure: unknown;
  const done = running.catch((err: unknown) => {
    failure = err;
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      await ownConnection?.close();
      if (failure) throw failure;
    })());
  return { worker, stop };
}
