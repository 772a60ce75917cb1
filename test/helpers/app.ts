/**
 * The API under test: a temp SQLite file with minimal master data, principals with known tokens (one per role),
 * and the app built against a real Temporal client. Each call gets its own database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type BuildAppDeps } from '../../api/app';
import { putCapacity, putCustomer, putMaterial, putProduct } from '../../api/services/master-data';
import { type AppConfig, loadConfig, loadReviewPolicy } from '../../config';
import { closeDatabase, openDatabase, type Db } from '../../db/client';
import { createPrincipal, ensureAdmin } from '../../db/principals';
import { createActivities } from '../../activities';
import { findOrder } from '../../api/services/orders';
import type { OrderState } from '../../workflows/messages';
import { connectTestClient, type TestClient } from './temporal';

/** The principals every test app has, by id, with their roles. Tokens are `tok-<id>-<suffix>` (see `tokens`). */
export const TEST_PRINCIPALS = {
  admin: ['admin'],
  shop: ['integrator'],
  partner: ['integrator'],
  auditor: ['auditor'],
  erp: ['erp'],
  sales: ['approver:sales'],
  finance: ['approver:finance'],
  finance2: ['approver:finance'],
  production: ['approver:production'],
  procurement: ['approver:procurement'],
  engineering: ['approver:engineering'],
  management: ['approver:management'],
  management2: ['approver:management'],
} as const satisfies Record<string, readonly string[]>;
export type TestPrincipalId = keyof typeof TEST_PRINCIPALS;

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: AppConfig;
  /** Bearer tokens of TEST_PRINCIPALS. */
  tokens: Record<TestPrincipalId, string>;
  /** `{ authorization: 'Bearer …' }` for a principal. */
  auth(id: TestPrincipalId): { authorization: string };
  close(): Promise<void>;
}

/** A delivery date `days` from today (UTC), as YYYY-MM-DD. */
export function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Unique order ids: the Temporal server is shared by the whole run (and workflow ids must never repeat). */
export function uniqueOrderId(prefix = 'T'): string {
  return `${prefix}-${randomUUID().slice(0, 13)}`;
}

/**
 * C-BIG: a VIP with a large limit (clean orders pass credit). C-SMALL: a 1000.00 limit (a 1250.00 order exceeds it).
 * BOX-1: 12.50, 0.01 h/unit, 2 × M-KRAFT. Capacity 16 h/day.
 */
export function seedMasterData(db: Db): void {
  const by = 'test-setup';
  putCustomer(db, 'C-BIG', {
    name: 'Big Customer',
    tier: 'vip',
    creditLimit: '1000000.00',
    openBalance: '0.00',
    allowedPaymentTerms: ['NET30', 'NET60'],
    onHold: false,
  }, by);
  putCustomer(db, 'C-SMALL', {
    name: 'Small Customer',
    tier: 'vip',
    creditLimit: '1000.00',
    openBalance: '0.00',
    allowedPaymentTerms: ['NET30'],
    onHold: false,
  }, by);
  putMaterial(db, 'M-KRAFT', { name: 'Kraft board', onHand: 1_000_000 }, by);
  putProduct(db, 'BOX-1', { name: 'Mailer box', unitPrice: '12.50', hoursPerUnit: 0.01, materials: [{ materialId: 'M-KRAFT', quantityPerUnit: 2 }] }, by);
  putProduct(db, 'BOX-2', { name: 'Retail box', unitPrice: '34.00', hoursPerUnit: 0.02, materials: [] }, by);
  putCapacity(db, { hoursPerDay: 16 }, by);
}

/** A clean order body for C-BIG: list prices, 30 days ahead, within every limit. */
export function cleanOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId: uniqueOrderId(),
    customerId: 'C-BIG',
    channel: 'web',
    currency: 'CNY',
    requestedDeliveryDate: daysFromNow(30),
    paymentTerms: 'NET30',
    priority: 'normal',
    lines: [{ sku: 'BOX-1', quantity: 100, unitPrice: '12.50' }],
    declaredTotal: '1250.00',
    ...overrides,
  };
}

export async function createTestApp(opts: {
  temporal: Client;
  taskQueue?: string;
  rateLimit?: BuildAppDeps['rateLimit'];
  sweeper?: BuildAppDeps['sweeper'];
  relays?: BuildAppDeps['relays'];
  /** Extra environment for the app's config (e.g. SMTP_URL, WEBHOOK_ALLOW_PRIVATE). */
  env?: Record<string, string>;
  timeouts?: BuildAppDeps['timeouts'];
  /** Extra routes a test needs (added before the app is ready). */
  routes?: (app: FastifyInstance) => void;
}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-api-'));
  const config = loadConfig({ DATA_DIR: dir, TASK_QUEUE: opts.taskQueue ?? `api-test-${randomUUID().slice(0, 8)}`, ...opts.env });
  const db = openDatabase(config.dbFile);
  seedMasterData(db);
  const suffix = randomUUID();
  const tokens = {} as Record<TestPrincipalId, string>;
  for (const [id, roles] of Object.entries(TEST_PRINCIPALS) as [TestPrincipalId, readonly string[]][]) {
    tokens[id] = `tok-${id}-${suffix}`;
    // `admin` is the built-in admin, made as a start makes it (the API reserves that id).
    if (id === 'admin') ensureAdmin(db, tokens[id]);
    else createPrincipal(db, { id, name: id, roles: [...roles], token: tokens[id] });
  }
  const app = await buildApp({
    config,
    db,
    temporal: opts.temporal,
    policy: loadReviewPolicy(config),
    // Tests not about limits send many 401s from one address (the authorisation matrix): a budget they never reach.
    rateLimit: { authFailuresMax: 100_000, ...opts.rateLimit },
    sweeper: opts.sweeper,
    relays: opts.relays,
    timeouts: opts.timeouts,
  });
  opts.routes?.(app);
  await app.ready();
  return {
    app,
    db,
    config,
    tokens,
    auth: (id) => ({ authorization: `Bearer ${tokens[id]}` }),
    async close() {
      await app.close();
      closeDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An app for `app.inject` tests of one describe block: built before its tests against the run's Temporal
 * server, closed after them. Read `ctx` and `t` inside tests (they are set once beforeAll ran).
 */
export function useTestApp(opts: Omit<Parameters<typeof createTestApp>[0], 'temporal'> = {}): { readonly ctx: TestApp; readonly t: TestClient } {
  const state: { ctx?: TestApp; t?: TestClient } = {};
  beforeAll(async () => {
    state.t = await connectTestClient();
    state.ctx = await createTestApp({ sweeper: false, ...opts, temporal: state.t.client });
  });
  afterAll(async () => {
    await state.ctx?.close();
    await state.t?.connection.close();
  });
  return {
    get ctx() {
      if (!state.ctx) throw new Error('useTestApp: the app is built in beforeAll');
      return state.ctx;
    },
    get t() {
      if (!state.t) throw new Error('useTestApp: the client is connected in beforeAll');
      return state.t;
    },
  };
}

/**
 * Writes an order's read model the way its workflow does (through the real recordState activity), from the state
 * the API shows now with `patch` applied: for API tests that run no worker but need an order in a given state.
 */
export async function recordAsWorkflow(db: Db, orderId: string, patch: Partial<OrderState> = {}): Promise<void> {
  const current = findOrder(db, orderId);
  if (!current) throw new Error(`recordAsWorkflow: no order ${orderId}`);
  const state = { ...current.state, ...patch, version: (current.state.version ?? 0) + 1 };
  await createActivities(db).recordState({ state, events: [] });
}
