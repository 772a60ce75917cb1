/** The demo data of `npm start`: an erp principal writes master data, and each record starts at version 1 by seed. */
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../db/client';
import { versionsOf } from '../../db/master-data';
import { findPrincipalByToken } from '../../db/principals';
import { customers, products } from '../../db/schema';
import { DEMO_PRINCIPALS, needsDemoData, seedDemoData } from '../../db/seed';
import { tempDbFile } from '../helpers/fixtures';

describe('demo data', () => {
  it('has an erp principal with a token, and every record at version 1 by seed', () => {
    const db = openDatabase(tempDbFile('seed'));
    try {
      expect(needsDemoData(db)).toBe(true);
      const { tokens } = seedDemoData(db);
      expect(DEMO_PRINCIPALS).toContainEqual(expect.objectContaining({ id: 'erp', roles: ['erp'] }));
      expect(findPrincipalByToken(db, tokens.erp!)).toMatchObject({ id: 'erp', roles: ['erp'] });

      for (const c of db.select().from(customers).all()) {
        expect(c.version, c.id).toBe(1);
        expect(versionsOf(db, 'customer', c.id)).toEqual([expect.objectContaining({ version: 1, by: 'seed' })]);
      }
      const box = versionsOf(db, 'product', 'BOX-E-001')[0]!;
      expect(box.changes.materials!.to).toEqual([
        { materialId: 'M-FLUTE-E', quantityPerUnit: 1 },
        { materialId: 'M-GLUE', quantityPerUnit: 5 },
        { materialId: 'M-KRAFT', quantityPerUnit: 2 },
      ]);
      expect(db.select().from(products).all().every((p) => p.version === 1)).toBe(true);
      expect(versionsOf(db, 'capacity', 'capacity')).toEqual([expect.objectContaining({ version: 1, by: 'seed', changes: { hoursPerDay: { from: null, to: 16 } } })]);
      expect(db.select().from(customers).all().find((c) => c.id === 'C-1001')!.defaults).toMatchObject({ paymentTerms: 'NET30', currency: 'CNY' });
      expect(needsDemoData(db)).toBe(false);
    } finally {
      closeDatabase(db);
    }
  });
});
