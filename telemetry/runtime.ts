/**
 * The Temporal Runtime of a process that runs a worker: its logs (the SDK's, the workflow `log`, the activity
 * context's, and the SDK core's own, forwarded) go through pino, and its metrics through the SDK's Prometheus
 * exporter. Install once per process, before the first NativeConnection.
 */
import net from 'node:net';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { type LogLevel, temporalLevelOf, temporalLogger } from './log';

const LOOPBACK = '127.0.0.1';

/** A free loopback port now (the exporter binds it a moment later; nothing else here races for it). */
async function freeLoopbackPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ host: LOOPBACK, port: 0 }, resolve);
  });
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export interface InstalledRuntime {
  /** Where the SDK's exporter serves its metrics (loopback only): what WorkerMetrics.text() appends. */
  sdkMetricsUrl: string;
}

export async function installRuntime(opts: { log: Logger; level: LogLevel; shutdownSignals?: NodeJS.Signals[] }): Promise<InstalledRuntime> {
  const port = await freeLoopbackPort();
  const level = temporalLevelOf(opts.level);
  Runtime.install({
    logger: temporalLogger(opts.log),
    ...(opts.shutdownSignals ? { shutdownSignals: opts.shutdownSignals } : {}),
    telemetryOptions: {
      // The core's own lines (connection trouble, task failures) come out as the worker's JSON too, never on stderr.
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: level === 'TRACE' || level === 'DEBUG' ? level : 'WARN', other: 'ERROR' }) },
      // SDK defaults otherwise (milliseconds, no _total suffix): what Temporal's published dashboards expect.
      metrics: { prometheus: { bindAddress: `${LOOPBACK}:${port}` } },
    },
  });
  return { sdkMetricsUrl: `http://${LOOPBACK}:${port}/metrics` };
}
