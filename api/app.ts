/**
 * The HTTP API, built without listening (tests inject requests; server.ts listens). The caller opens and owns
 * the shared resources (db, Temporal client) and closes them; the app only decorates itself with them.
 */
import './types';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import type { ResolvedPolicy } from '../domain/types';
import errors, { MAX_PARAM_LENGTH, routerErrors } from './plugins/errors';
import metrics, { type MetricsOptions } from './plugins/metrics';
import requestLog, { requestLogOptions } from './plugins/request-log';
import auth from './plugins/auth';
import resources from './plugins/resources';
import security, { type SecurityOptions } from './plugins/security';
import swagger from './plugins/swagger';
import { serializerCompiler } from './serializer';
import capacityRoutes from './routes/capacity';
import customerRoutes from './routes/customers';
import eventRoutes from './routes/events';
import fulfilmentRoutes from './routes/fulfilment';
import healthRoutes from './routes/health';
import inboxRoutes from './routes/inbox';
import kpiRoutes from './routes/kpis';
import consolePlugin from './console/plugin';
import auditRoutes, { type AuditRoutesOptions } from './routes/audit';
import historyArchiver, { type HistoryArchiverOptions } from './plugins/history-archiver';
import kpiFactsBackfill from './plugins/kpi-facts-backfill';
import legacyBackfill from './plugins/legacy-backfill';
import materialRoutes from './routes/materials';
import meRoutes from './routes/me';
import orderRoutes from './routes/orders';
import principalRoutes from './routes/principals';
import productRoutes from './routes/products';
import { searchAttributesRegistered, startIntakeSweeper } from './services/intake';
import notificationRoutes from './routes/notifications';
import webhookRoutes from './routes/webhooks';
import stepRoutes from './routes/steps';
import { trackingApiRoutes, trackingPageRoutes } from './routes/tracking';
import { createRelayWaker, type RelayWaker } from '../activities/relay-waker';
import { createSecretBox, loadSecretKey, type SecretBox } from '../db/secrets';
import type { RelayOptions } from '../workflows/relay-messages';
import { UPDATE_DEADLINE_MS } from './services/order-updates';

export interface BuildAppDeps {
  config: AppConfig;
  db: Db;
  temporal: Client;
  policy: ResolvedPolicy;
  /** Fastify logger options; off by default (tests). */
  logger?: boolean | object;
  /** Per-principal rate limit; tests lower it. */
  rateLimit?: SecurityOptions;
  /** The sweeper that starts reviews a crash left unstarted; `false` turns it off. */
  sweeper?: { intervalMs?: number; graceMs?: number } | false;
  /** Replay limits of POST /v1/replay. */
  audit?: AuditRoutesOptions;
  /** The archiver that copies finished orders' histories into the app db; `false` turns it off. */
  archiver?: HistoryArchiverOptions | false;
  /**
   * The event relays (webhooks, notifications): the API starts and wakes them. Off unless given (tests that do not
   * exercise them run no relay workflows); server.ts always turns them on.
   */
  relays?: { options?: RelayOptions };
  /** Seals secrets; default: the key of config (SECRETS_KEY or DATA_DIR/secret-key). */
  secrets?: SecretBox;
  /** Slow-client limits; tests scale them down. */
  timeouts?: HttpTimeouts;
  /** GET /metrics; default: the token of config (METRICS_TOKEN). */
  metrics?: Partial<MetricsOptions>;
}

export interface HttpTimeouts {
  /** The whole header block must arrive within this (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this; the answer is not counted (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** A socket with no traffic either way is closed: it must outlast the slowest answer the server gives. */
  idleTimeoutMs: number;
  /** A kept-alive socket idle between requests is closed. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the header and request limits (its default, 30 s, let a dribbling client stay a minute). */
  checkIntervalMs: number;
}

/**
 * Slow clients are cut off: headers within 10 s, the whole request within 30 s (1 MiB needs only 35 KB/s), both
 * checked every second. A slow *server* answer is never cut: the request limit stops counting once the request
 * is in, and the idle limit exceeds the 30 s a decision may wait for its workflow.
 */
export const HTTP_TIMEOUTS: HttpTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: UPDATE_DEADLINE_MS + 15_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

const MiB = 1024 * 1024;

export async function buildApp(deps: BuildAppDeps): Promise<FastifyInstance> {
  const timeouts = deps.timeouts ?? HTTP_TIMEOUTS;
  const app = Fastify({
    logger: (deps.logger ?? false) as FastifyServerOptions['logger'],
    bodyLimit: MiB,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: routerErrors,
    ...requestLogOptions,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.idleTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
  });
  // JSON is the only body the API reads: without this, text/plain would be parsed as a string and answer a
  // confusing 400 where every other non-JSON type answers 415.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(resources, { config: deps.config, db: deps.db, temporal: deps.temporal, policy: deps.policy });
  app.decorate('secrets', deps.secrets ?? createSecretBox(loadSecretKey(deps.config.dataDir, deps.config.secretsKey)));
  let waker: RelayWaker | undefined;
  if (deps.relays) {
    waker = createRelayWaker({ db: deps.db, temporal: deps.temporal, taskQueue: deps.config.taskQueue, options: deps.relays.options, log: app.log });
    // Every relay (the mail relay, each webhook's) runs, and catches up with what was logged while none ran.
    app.addHook('onReady', async () => waker?.poke());
    // preClose: before any onClose hook can close the database or the Temporal connection the waker uses.
    app.addHook('preClose', async () => waker?.close());
  }
  app.decorate('relayWaker', waker);
  // New orders keep search attributes only when the namespace has them registered (an unknown one fails the task).
  const features = { searchAttributes: false };
  app.decorate('temporalFeatures', features);
  let probing: Promise<void> | undefined;
  app.addHook('onReady', async () => {
    // In the background, with a deadline: an unreachable Temporal must not hold up the API's start (/readyz says so).
    probing = deps.temporal
      .withDeadline(Date.now() + 5_000, () => searchAttributesRegistered(deps.temporal, deps.config.namespace))
      .then(
        (found) => {
          features.searchAttributes = found;
          if (!found) app.log.info('the namespace lacks the order search attributes (README: Production shape): orders are not indexed by them');
        },
        (err: unknown) => app.log.warn({ err }, 'could not list the namespace search attributes; new orders will not set them'),
      );
  });
  app.addHook('onClose', async () => {
    await probing;
  });
  await app.register(errors);
  await app.register(requestLog);
  await app.register(security, deps.rateLimit ?? {});
  await app.register(auth);
  await app.register(swagger);
  await app.register(metrics, { token: deps.config.metricsToken, ...deps.metrics });

  await app.register(healthRoutes);
  // After `security`: the console replaces helmet's CSP with a stricter one on its own pages.
  await app.register(consolePlugin);
  await app.register(trackingPageRoutes);
  await app.register(
    async (v1) => {
      await v1.register(principalRoutes);
      await v1.register(meRoutes);
      await v1.register(customerRoutes);
      await v1.register(productRoutes);
      await v1.register(materialRoutes);
      await v1.register(capacityRoutes);
      await v1.register(orderRoutes);
      await v1.register(fulfilmentRoutes);
      await v1.register(inboxRoutes);
      await v1.register(auditRoutes, deps.audit ?? {});
      await v1.register(eventRoutes);
      await v1.register(webhookRoutes);
      await v1.register(notificationRoutes);
      await v1.register(trackingApiRoutes);
      await v1.register(stepRoutes);
      await v1.register(kpiRoutes);
    },
    { prefix: '/v1' },
  );

  if (deps.archiver !== false) await app.register(historyArchiver, deps.archiver ?? {});
  await app.register(legacyBackfill);
  await app.register(kpiFactsBackfill);

  if (deps.sweeper !== false) {
    const opts = deps.sweeper ?? {};
    let sweeper: { stop(): Promise<void> } | undefined;
    app.addHook('onReady', async () => {
      sweeper = startIntakeSweeper({ db: deps.db, temporal: deps.temporal, config: deps.config, policy: deps.policy, log: app.log }, opts);
    });
    app.addHook('onClose', async () => {
      await sweeper?.stop();
    });
  }

  return app;
}
