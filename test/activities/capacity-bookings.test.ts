/**
 * Capacity bookings on a real SQLite file, without a server: many tiny orders each book what they need, and
 * together they cannot overbook a day (before, each rounded to 0.00 h, booked nothing and passed).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHoldActivities } from '../../activities/holds';
import { closeDatabase, type Db, openDatabase } from '../../db/client';
import { capacityBookings, capacitySettings, products } from '../../db/schema';
import { addDays } from '../../domain/dates';
import type { NormalisedOrder } from '../../domain/types';
import { tempDbFile } from '../helpers/fixtures';

const NOW = new Date('2026-06-01T08:00:00Z');
const TODAY = '2026-06-01';

function tinyOrder(i: number, quantity = 1): NormalisedOrder {
  return {
    orderId: `TINY-${i}`,
    customerId: 'C-OK',
    channel: 'web',
    currency: 'CNY',
    // One production day: today.
    requestedDeliveryDate: addDays(TODAY, 1),
    paymentTerms: 'NET30',
    priority: 'normal',
    lines: [{ sku: 'P-TINY', quantity, unitPriceMinor: 100 }],
    declaredTotalMinor: null,
    totalMinor: 100 * quantity,
    specialRequirements: [],
    notes: null,
  };
}

describe('capacity bookings of many small orders', () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(tempDbFile('capacity'));
    const at = NOW.toISOString();
    db.insert(capacitySettings).values({ id: 1, hoursPerDay: 1, updatedAt: at }).run();
    // 0.004 h per unit: 250 one-unit orders fill a 1-hour day exactly.
    db.insert(products).values({ sku: 'P-TINY', name: 'Tiny', unitPriceMinor: 100, hoursPerUnit: 0.004, updatedAt: at }).run();
  });
  afterEach(() => closeDatabase(db));

  it('books each tiny order; the 251st finds the day full, and the day never holds more than its hours', async () => {
    const acts = createHoldActivities({ db, now: () => NOW });
    const results = [];
    for (let i = 0; i < 300; i++) results.push(await acts.bookCapacity({ order: tinyOrder(i), revision: 1, force: false }));

    const held = results.filter((r) => r.held).length;
    expect(held).toBe(250);
    expect(results[249]!.findings).toEqual([]);
    expect(results[250]!.held).toBe(false);
    expect(results[250]!.findings.map((f) => f.code)).toEqual(['CAPACITY_INSUFFICIENT']);

    const rows = db.select().from(capacityBookings).all();
    expect(rows).toHaveLength(250);
    expect(rows.every((r) => r.day === TODAY && r.hours === 0.004)).toBe(true);
    const booked = rows.reduce((s, r) => s + r.hours, 0);
    expect(booked).toBeCloseTo(1, 9);
  });

  it('an order too small for two decimals still books a positive amount', async () => {
    const acts = createHoldActivities({ db, now: () => NOW });
    const res = await acts.bookCapacity({ order: tinyOrder(1), revision: 1, force: false });
    expect(res).toMatchObject({ held: true, findings: [] });
    expect(db.select().from(capacityBookings).all().map((r) => r.hours)).toEqual([0.004]);
  });
});
