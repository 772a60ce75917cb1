/**
 * The HTTP API, built without listening (tests inject requests; server.ts listens). The caller opens and owns
 * the shared resources (db, Temporal client) and closes them; the app only decorates itself with them.
 */
import './types';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import type { ResolvedPolicy } from '../domain/types';
import errors from './plugins/errors';
import auth from './plugins/auth';
import resources from './plugins/resources';
import security, { type SecurityOptions } from './plugins/security';
import swagger from './plugins/swagger';
import capacityRoutes from './routes/capacity';
import customerRoutes from './routes/customers';
import eventRoutes from './routes/events';
import fulfilmentRoutes from './routes/fulfilment';
import healthRoutes from './routes/health';
import inboxRoutes from './routes/inbox';
import consolePlugin from './console/plugin';
import auditRoutes, { type AuditRoutesOptions } from './routes/audit';
import historyArchiver, { type HistoryArchiverOptions } from './plugins/history-archiver';
import materialRoutes from './routes/materials';
import meRoutes from './routes/me';
import orderRoutes from './routes/orders';
import principalRoutes from './routes/principals';
import productRoutes from './routes/products';
import { startIntakeSweeper } from './services/intake';
import notificationRoutes from './routes/notifications';
import webhookRoutes from './routes/webhooks';
import { trackingApiRoutes, trackingPageRoutes } from './routes/tracking';
import { createRelayWaker, type RelayWaker } from '../activities/relay-waker';
import { createSecretBox, loadSecretKey, type SecretBox } from '../db/secrets';
import type { RelayOptions } from '../workflows/relay-messages';

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
}

const MiB = 1024 * 1024;

export async function buildApp(deps: BuildAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: (deps.logger ?? false) as FastifyServerOptions['logger'],
    bodyLimit: MiB,
    // Time allowed to receive a whole request; slow-loris clients are cut off.
    requestTimeout: 30_000,
    // Idle socket limit: above the 30 s a request may wait for a workflow Update to answer.
    connectionTimeout: 65_000,
    keepAliveTimeout: 5_000,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(resources, { config: deps.config, db: deps.db, temporal: deps.temporal, policy: deps.policy });
  app.decorate('secrets', deps.secrets ?? createSecretBox(loadSecretKey(deps.config.dataDir, deps.config.secretsKey)));
  let waker: RelayWaker | undefined;
  if (deps.relays) {
    waker = createRelayWaker({ db: deps.db, temporal: deps.temporal, taskQueue: deps.config.taskQueue, options: deps.relays.options, log: app.log });
    // Every relay (the mail relay, each webhook's) runs, and catches up with what was logged while none ran.
    app.addHook('onReady', async () => waker?.poke());
    app.addHook('onClose', async () => waker?.close());
  }
  app.decorate('relayWaker', waker);
  await app.register(errors);
  await app.register(security, deps.rateLimit ?? {});
  await app.register(auth);
  await app.register(swagger);

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
    },
    { prefix: '/v1' },
  );

  if (deps.archiver !== false) await app.register(historyArchiver, deps.archiver ?? {});

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
