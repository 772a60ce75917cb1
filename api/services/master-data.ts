/**
 * Master data reads and writes. Money is stored in minor units and shown as decimal strings. A PUT replaces the
 * record itself but never the reservations or bookings reviews made against it. Every PUT that changes something
 * keeps a version (who, when, what changed: db/master-data.ts); one that changes nothing writes nothing.
 */
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { type Db, writeTx } from '../../db/client';
import { CAPACITY_ID, saveCapacity, saveCustomer, saveMaterial, saveProduct, versionsOf } from '../../db/master-data';
import { capacityBookings, capacitySettings, customers, materialReservations, materials, productMaterials, products } from '../../db/schema';
import type { MasterDataEntity, MasterDataVersion } from '../../domain/changes';
import { formatMoney, parseMoney } from '../../domain/money';
import { problems } from '../problem';
import type { CustomerDefaults } from '../../domain/types';
import type { capacityBody, customerBody, materialBody, productBody } from '../schemas/master-data';

type CustomerRow = typeof customers.$inferSelect;
type ProductRow = typeof products.$inferSelect;
type MaterialRow = typeof materials.$inferSelect;

const nowIso = (): string => new Date().toISOString();
const meta = (by: string) => ({ by, at: nowIso() });

function customerView(row: CustomerRow) {
  return {
    customerId: row.id,
    name: row.name,
    tier: row.tier,
    creditLimit: formatMoney(row.creditLimitMinor),
    openBalance: formatMoney(row.openBalanceMinor),
    allowedPaymentTerms: row.allowedPaymentTerms,
    onHold: row.onHold,
    defaults: row.defaults ?? {},
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/** Defaults as stored: upper-case codes like the order fields they fill, and null when there are none. */
function normaliseDefaults(d: z.output<typeof customerBody>['defaults']): CustomerDefaults | null {
  if (!d) return null;
  const out: CustomerDefaults = {};
  if (d.paymentTerms) out.paymentTerms = d.paymentTerms.trim().toUpperCase();
  if (d.currency) out.currency = d.currency.trim().toUpperCase();
  if (d.shipTo) {
    const { name, postalCode, street, city, country } = d.shipTo;
    out.shipTo = { ...(name ? { name } : {}), street, city, ...(postalCode ? { postalCode } : {}), country: country.toUpperCase() };
  }
  if (d.contact && Object.values(d.contact).some((v) => v !== undefined)) out.contact = { ...d.contact };
  return Object.keys(out).length > 0 ? out : null;
}

/** Creates or replaces a customer as `by`; a new version only when something changed. */
export function putCustomer(db: Db, customerId: string, body: z.output<typeof customerBody>, by: string) {
  const values = {
    name: body.name,
    tier: body.tier,
    creditLimitMinor: parseMoney(body.creditLimit),
    openBalanceMinor: parseMoney(body.openBalance),
    // Stored as the credit check compares them: trimmed and upper-case, each once.
    allowedPaymentTerms: [...new Set(body.allowedPaymentTerms.map((t) => t.trim().toUpperCase()))],
    onHold: body.onHold,
    defaults: normaliseDefaults(body.defaults),
  };
  writeTx(db, (tx) => saveCustomer(tx, customerId, values, meta(by)));
  return getCustomer(db, customerId)!;
}

export function getCustomer(db: Db, customerId: string) {
  const row = db.select().from(customers).where(eq(customers.id, customerId)).get();
  return row ? customerView(row) : undefined;
}

export function listCustomers(db: Db, limit: number, after: string | undefined) {
  return db
    .select()
    .from(customers)
    .where(after === undefined ? undefined : gt(customers.id, after))
    .orderBy(asc(customers.id))
    .limit(limit + 1)
    .all()
    .map(customerView);
}

function productViews(db: Db, rows: ProductRow[]) {
  const skus = rows.map((r) => r.sku);
  const bom = skus.length
    ? db.select().from(productMaterials).where(inArray(productMaterials.sku, skus)).orderBy(asc(productMaterials.materialId)).all()
    : [];
  return rows.map((row) => ({
    sku: row.sku,
    name: row.name,
    unitPrice: formatMoney(row.unitPriceMinor),
    hoursPerUnit: row.hoursPerUnit,
    materials: bom.filter((b) => b.sku === row.sku).map((b) => ({ materialId: b.materialId, quantityPerUnit: b.quantityPerUnit })),
    version: row.version,
    updatedAt: row.updatedAt,
  }));
}

/**
 * Replaces the product and its bill of materials in one transaction, as `by`. Every material must exist: a bill
 * naming an unknown one would send each order of the product to procurement for stock nobody can reserve. 422, and
 * the transaction writes nothing.
 */
export function putProduct(db: Db, sku: string, body: z.output<typeof productBody>, by: string) {
  const values = {
    name: body.name,
    unitPriceMinor: parseMoney(body.unitPrice),
    hoursPerUnit: body.hoursPerUnit,
    materials: body.materials.map((m) => ({ materialId: m.materialId, quantityPerUnit: m.quantityPerUnit })),
  };
  writeTx(db, (tx) => {
    const ids = body.materials.map((m) => m.materialId);
    const known = new Set(ids.length ? tx.select({ id: materials.id }).from(materials).where(inArray(materials.id, ids)).all().map((m) => m.id) : []);
    const errors = body.materials.flatMap((m, i) =>
      known.has(m.materialId) ? [] : [{ path: `materials.${i}.materialId`, message: `unknown material ${m.materialId}: create it first (PUT /v1/materials/${m.materialId})` }],
    );
    if (errors.length > 0) throw problems.unprocessable('the bill of materials names materials that do not exist', errors, { title: 'Unknown reference' });
    saveProduct(tx, sku, values, meta(by));
  });
  return getProduct(db, sku)!;
}

export function getProduct(db: Db, sku: string) {
  const row = db.select().from(products).where(eq(products.sku, sku)).get();
  return row ? productViews(db, [row])[0] : undefined;
}

export function listProducts(db: Db, limit: number, after: string | undefined) {
  const rows = db
    .select()
    .from(products)
    .where(after === undefined ? undefined : gt(products.sku, after))
    .orderBy(asc(products.sku))
    .limit(limit + 1)
    .all();
  return productViews(db, rows);
}

function materialViews(db: Db, rows: MaterialRow[]) {
  const ids = rows.map((r) => r.id);
  // Active reservations are the ones not released yet (released on rejection, cancellation, expiry, amendment).
  const reserved = ids.length
    ? db
        .select({ id: materialReservations.materialId, qty: sql<number>`coalesce(sum(${materialReservations.quantity}), 0)` })
        .from(materialReservations)
        .where(and(inArray(materialReservations.materialId, ids), isNull(materialReservations.releasedAt)))
        .groupBy(materialReservations.materialId)
        .all()
    : [];
  const byId = new Map(reserved.map((r) => [r.id, Number(r.qty)]));
  return rows.map((row) => {
    const r = byId.get(row.id) ?? 0;
    return {
      materialId: row.id,
      name: row.name,
      onHand: row.onHand,
      reserved: r,
      available: row.onHand - r,
      version: row.version,
      updatedAt: row.updatedAt,
    };
  });
}

export function putMaterial(db: Db, materialId: string, body: z.output<typeof materialBody>, by: string) {
  writeTx(db, (tx) => saveMaterial(tx, materialId, { name: body.name, onHand: body.onHand }, meta(by)));
  return getMaterial(db, materialId)!;
}

export function getMaterial(db: Db, materialId: string) {
  const row = db.select().from(materials).where(eq(materials.id, materialId)).get();
  return row ? materialViews(db, [row])[0] : undefined;
}

export function listMaterials(db: Db, limit: number, after: string | undefined) {
  const rows = db
    .select()
    .from(materials)
    .where(after === undefined ? undefined : gt(materials.id, after))
    .orderBy(asc(materials.id))
    .limit(limit + 1)
    .all();
  return materialViews(db, rows);
}

const CAPACITY_ROW = 1;

export function putCapacity(db: Db, body: z.output<typeof capacityBody>, by: string) {
  writeTx(db, (tx) => saveCapacity(tx, { hoursPerDay: body.hoursPerDay }, meta(by)));
  return getCapacity(db)!;
}

export function getCapacity(db: Db) {
  const row = db.select().from(capacitySettings).where(eq(capacitySettings.id, CAPACITY_ROW)).get();
  if (!row) return undefined;
  const booked = db
    .select({ day: capacityBookings.day, hours: sql<number>`sum(${capacityBookings.hours})` })
    .from(capacityBookings)
    .where(isNull(capacityBookings.releasedAt))
    .groupBy(capacityBookings.day)
    .orderBy(asc(capacityBookings.day))
    .all();
  return {
    hoursPerDay: row.hoursPerDay,
    version: row.version,
    updatedAt: row.updatedAt,
    // Bookings are on the micro-hour grid; their SQL sum picks up float noise (0.1 + 0.2), rounded off here.
    booked: booked.map((b) => ({ day: b.day, hours: Math.round(Number(b.hours) * 1_000_000) / 1_000_000 })),
  };
}

/** The record's kept versions, oldest first; undefined when there is no such record. */
export function recordVersions(db: Db, entity: MasterDataEntity, id: string): MasterDataVersion[] | undefined {
  const exists =
    entity === 'customer'
      ? db.select({ id: customers.id }).from(customers).where(eq(customers.id, id)).get()
      : entity === 'product'
        ? db.select({ sku: products.sku }).from(products).where(eq(products.sku, id)).get()
        : entity === 'material'
          ? db.select({ id: materials.id }).from(materials).where(eq(materials.id, id)).get()
          : db.select({ id: capacitySettings.id }).from(capacitySettings).where(eq(capacitySettings.id, CAPACITY_ROW)).get();
  if (!exists) return undefined;
  return versionsOf(db, entity, entity === 'capacity' ? CAPACITY_ID : id);
}
