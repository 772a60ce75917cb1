/**
 * Decorates the app with the shared resources its caller opened: one db handle, one Temporal client, the
 * review policy and the config. The caller owns them and closes them (server.ts does so onClose).
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AppConfig } from '../../config';
import type { Db } from '../../db/client';
import type { ResolvedPolicy } from '../../domain/types';

export interface Resources {
  config: AppConfig;
  db: Db;
  temporal: Client;
  policy: ResolvedPolicy;
}

async function resourcesPlugin(app: FastifyInstance, opts: Resources): Promise<void> {
  app.decorate('appConfig', opts.config);
  app.decorate('db', opts.db);
  app.decorate('temporal', opts.temporal);
  app.decorate('policy', opts.policy);
}

export default fp(resourcesPlugin, { name: 'resources' });
