/** Worker process for the baseline workflow: the same SDK settings as worker.ts, no-op activities. */
import { NativeConnection, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const taskQueue = process.env.TASK_QUEUE ?? 'bench-bare';
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./bare-workflow'),
    activities: { noop: async () => undefined },
    maxCachedWorkflows: 10_000,
  });
  process.once('SIGTERM', () => worker.shutdown());
  process.once('SIGINT', () => worker.shutdown());
  const running = worker.run();
  console.log(`worker polling ${taskQueue}`);
  await running;
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
