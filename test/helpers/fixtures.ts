/** Master data, orders and policies for tests: a small, known world with one problem per customer/product. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { type Db, openDatabase } from '../../db/client';
import { capacitySettings, customers, materials, productMaterials, products } from '../../db/schema';
import { addDays } from '../../domain/dates';
import { type OrderInput, normaliseOrder } from '../../domain/order';
import { BUILT_IN_POLICY, parsePolicy, type RawPolicy } from '../../domain/policy';
import type { NormalisedOrder, ResolvedPolicy } from '../../domain/types';

export function tempDbFile(prefix = 'order-review'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  return path.join(dir, 'app.db');
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** A fresh database file with the test world seeded. */
export function createTestDb(): Db {
  const db = openDatabase(tempDbFile());
  seedTestWorld(db);
  return db;
}

export function seedTestWorld(db: Db): void {
  const at = new Date().toISOString();
  const terms = ['NET30', 'NET60'];
  db.insert(customers)
    .values([
      // Clean: huge limit, nothing open.
      { id: 'C-OK', name: 'Clean Customer', tier: 'standard', creditLimitMinor: 10_000_000_000, openBalanceMinor: 0, allowedPaymentTerms: terms, onHold: false, updatedAt: at },
      // 100.00 limit: any order above it needs finance.
      { id: 'C-SMALL', name: 'Small Credit', tier: 'standard', creditLimitMinor: 10_000, openBalanceMinor: 0, allowedPaymentTerms: terms, onHold: false, updatedAt: at },
      { id: 'C-HOLD', name: 'On Hold', tier: 'standard', creditLimitMinor: 10_000_000_000, openBalanceMinor: 0, allowedPaymentTerms: terms, onHold: true, updatedAt: at },
    ])
    .run();
  db.insert(materials)
    .values([
      { id: 'M-KRAFT', name: 'Kraft', onHand: 100_000_000, updatedAt: at },
      { id: 'M-RARE', name: 'Rare film', onHand: 10, updatedAt: at },
    ])
    .run();
  db.insert(products)
    .values([
      { sku: 'BOX', name: 'Box', unitPriceMinor: 1_250, hoursPerUnit: 0.001, updatedAt: at },
      // 10 h per unit: a few units exceed what a couple of days of capacity can do.
      { sku: 'SLOW', name: 'Hand-made box', unitPriceMinor: 1_000, hoursPerUnit: 10, updatedAt: at },
      { sku: 'RARE', name: 'Window box', unitPriceMinor: 2_000, hoursPerUnit: 0.001, updatedAt: at },
    ])
    .run();
  db.insert(productMaterials)
    .values([
      { sku: 'BOX', materialId: 'M-KRAFT', quantityPerUnit: 2 },
      { sku: 'SLOW', materialId: 'M-KRAFT', quantityPerUnit: 1 },
      { sku: 'RARE', materialId: 'M-RARE', quantityPerUnit: 1 },
    ])
    .run();
  db.insert(capacitySettings).values({ id: 1, hoursPerDay: 16, updatedAt: at }).run();
}

export function uniqueOrderId(prefix = 'T'): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

/** A clean order (passes every automatic check under the built-in policy), with overrides. */
export function orderInput(overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    customerId: 'C-OK',
    channel: 'web',
    currency: 'CNY',
    requestedDeliveryDate: addDays(today(), 30),
    paymentTerms: 'NET30',
    priority: 'normal',
    lines: [{ sku: 'BOX', quantity: 100, unitPrice: '12.50' }],
    declaredTotal: '1250.00',
    ...overrides,
  };
}

export function normalised(overrides: Partial<OrderInput> = {}, orderId = uniqueOrderId()): NormalisedOrder {
  return normaliseOrder(orderInput(overrides), orderId);
}

/** The built-in policy with every human step on second-scale timers (defaults: far in the future). */
export function testPolicy(
  opts: { reminder?: string; escalate?: string; timeout?: string; onTimeout?: 'reject' | 'expire'; changesRequestedTimeout?: string; patch?: Partial<RawPolicy> } = {},
): ResolvedPolicy {
  const timers = {
    reminderAfter: opts.reminder ?? '1h',
    escalateAfter: opts.escalate ?? '2h',
    timeoutAfter: opts.timeout ?? '3h',
    onTimeout: opts.onTimeout ?? 'reject',
  };
  const steps = Object.fromEntries(Object.keys(BUILT_IN_POLICY.steps).map((k) => [k, timers]));
  return parsePolicy({
    ...BUILT_IN_POLICY,
    steps,
    changesRequestedTimeout: opts.changesRequestedTimeout ?? '1h',
    ...opts.patch,
  });
}
