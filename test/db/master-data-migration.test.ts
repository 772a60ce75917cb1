/**
 * The data migration that gives master data from before v1.1 its version 1 (db/migrations/0006_…): a database at the
 * previous migration, with records in it, is migrated and each record's creation is listed with every field, in the
 * same form a PUT writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, writeTx } from '../../db/client';
import { saveCustomer, versionsOf } from '../../db/master-data';
import { migrationsBefore } from '../helpers/migrations';

const BEFORE_VERSIONS = '0005_master_data_versions';


describe('master data versions migration', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-migration-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists every record that existed before as version 1 by "migration", and the next PUT is version 2', () => {
    const file = path.join(dir, 'app.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsBefore(dir, BEFORE_VERSIONS) });
    const at = '2026-01-02T03:04:05.000Z';
    old.exec(`
      insert into customers (id, name, tier, credit_limit_minor, open_balance_minor, allowed_payment_terms, on_hold, updated_at)
        values ('C-OLD', 'Old', 'key', 123456, 5, '["NET30"]', 1, '${at}');
      insert into products (sku, name, unit_price_minor, hours_per_unit, updated_at) values ('P-OLD', 'Box', 1250, 0.05, '${at}');
      insert into product_materials (sku, material_id, quantity_per_unit) values ('P-OLD', 'M-B', 2), ('P-OLD', 'M-A', 0.5);
      insert into materials (id, name, on_hand, updated_at) values ('M-A', 'A', 100, '${at}');
      insert into capacity_settings (id, hours_per_day, updated_at) values (1, 16, '${at}');
    `);
    old.close();

    const db = openDatabase(file);
    try {
      expect(versionsOf(db, 'customer', 'C-OLD')).toEqual([
        {
          version: 1,
          at,
          by: 'migration',
          changes: {
            name: { from: null, to: 'Old' },
            tier: { from: null, to: 'key' },
            creditLimit: { from: null, to: '1234.56' },
            openBalance: { from: null, to: '0.05' },
            allowedPaymentTerms: { from: null, to: ['NET30'] },
            onHold: { from: null, to: true },
            defaults: { from: null, to: {} },
          },
        },
      ]);
      expect(versionsOf(db, 'product', 'P-OLD')[0]!.changes).toEqual({
        name: { from: null, to: 'Box' },
        unitPrice: { from: null, to: '12.50' },
        hoursPerUnit: { from: null, to: 0.05 },
        materials: { from: null, to: [{ materialId: 'M-A', quantityPerUnit: 0.5 }, { materialId: 'M-B', quantityPerUnit: 2 }] },
      });
      expect(versionsOf(db, 'material', 'M-A')[0]!.changes).toEqual({ name: { from: null, to: 'A' }, onHand: { from: null, to: 100 } });
      expect(versionsOf(db, 'capacity', 'capacity')[0]!.changes).toEqual({ hoursPerDay: { from: null, to: 16 } });

      // The migrated version 1 holds the same values a PUT compares against: re-saving them is no change.
      const values = { name: 'Old', tier: 'key' as const, creditLimitMinor: 123456, openBalanceMinor: 5, allowedPaymentTerms: ['NET30'], onHold: true, defaults: null };
      const meta = { by: 'erp', at: new Date().toISOString() };
      expect(writeTx(db, (tx) => saveCustomer(tx, 'C-OLD', values, meta)).changed).toBe(false);
      const saved = writeTx(db, (tx) => saveCustomer(tx, 'C-OLD', { ...values, onHold: false }, meta));
      expect(saved).toMatchObject({ version: 2, changed: true, changes: { onHold: { from: true, to: false } } });
      expect(versionsOf(db, 'customer', 'C-OLD').map((v) => v.version)).toEqual([1, 2]);
    } finally {
      closeDatabase(db);
    }
  });
});
