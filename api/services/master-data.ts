/**
 * Master data reads and writes. Money is stored in minor units and shown as decimal strings. A PUT replaces the
 * record itself but never the reservations or bookings reviews made against it. Every PUT that changes something
 * keeps a version (who, when, what changed: db/master-data.ts); one that changes nothing writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { type Db, writeTx } from '../../db/client';
import { CAPACITY_ID, saveCapacity, saveCustomer, saveMaterial, saveProduct, versionsOf } from '../../db/master-data';
import { capacitySettings, customers, materials, productMaterials, products } from '../../db/schema';
import { capacityByDay, logReorderCrossings, type MaterialStock, materialStock, reservedSql } from '../../db/stock';
import type { MasterDataEntity, MasterDataVersion } from '../../domain/changes';
import { isBelowReorderPoint } from '../../domain/checks/reorder-point';
import { formatMoney, parseMoney } from '../../domain/money';
import { problems } from '../problem';
import type { CustomerDefaults } from '../../domain/types';
import type { capacityBody, customerBody, materialBody, productBody } from '../schemas/master-data';

type CustomerRow = typeof customers.$inferSelect;
type ProductRow = typeof products.$inferSelect;

const nowIso = (): string => new Date().toISOString();
const meta = (by: string, at = nowIso()) => ({ by, at });

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

function materialView(m: MaterialStock) {
  return {
    materialId: m.materialId,
    name: m.name,
    onHand: m.onHand,
    reserved: m.reserved,
    available: m.available,
    reorderPoint: m.reorderPoint,
    belowReorderPoint: isBelowReorderPoint(m),
    version: m.version,
    updatedAt: m.updatedAt,
  };
}

/**
 * Creates or replaces a material, as `by` (a new version when something changed). Reservations are kept; a change
 * that takes it below its reorder point (a lower stock count, or a reorder point set above what is available) tells
 * procurement, in the same transaction.
 */
export function putMaterial(db: Db, materialId: string, body: z.output<typeof materialBody>, by: string) {
  const at = nowIso();
  const logged = writeTx(db, (tx) => {
    const before = materialStock(tx, [materialId]);
    saveMaterial(tx, materialId, { name: body.name, onHand: body.onHand, reorderPoint: body.reorderPoint ?? null }, meta(by, at));
    return logReorderCrossings(tx, before, { eventId: () => randomUUID(), actor: by, at });
  });
  return { material: getMaterial(db, materialId)!, logged };
}

export function getMaterial(db: Db, materialId: string) {
  const m = materialStock(db, [materialId]).get(materialId);
  return m ? materialView(m) : undefined;
}

/** Materials by id; `belowReorderPoint` keeps only those whose available stock is below their reorder point. */
export function listMaterials(db: Db, limit: number, after: string | undefined, opts: { belowReorderPoint?: boolean } = {}) {
  const where: SQL[] = [];
  if (after !== undefined) where.push(gt(materials.id, after));
  if (opts.belowReorderPoint) {
    where.push(sql`${materials.reorderPoint} is not null and ${materials.onHand} - ${reservedSql(materials.id)} < ${materials.reorderPoint}`);
  }
  const ids = db
    .select({ id: materials.id })
    .from(materials)
    .where(and(...where))
    .orderBy(asc(materials.id))
    .limit(limit + 1)
    .all()
    .map((r) => r.id);
  const stock = materialStock(db, ids);
  return ids.flatMap((id) => {
    const m = stock.get(id);
    return m ? [materialView(m)] : [];
  });
}

const CAPACITY_ROW = 1;

export function putCapacity(db: Db, body: z.output<typeof capacityBody>, by: string) {
  writeTx(db, (tx) => saveCapacity(tx, { hoursPerDay: body.hoursPerDay }, meta(by)));
  return getCapacity(db)!;
}

export function getCapacity(db: Db) {
  const row = db.select().from(capacitySettings).where(eq(capacitySettings.id, CAPACITY_ROW)).get();
  if (!row) return undefined;
  return {
    hoursPerDay: row.hoursPerDay,
    version: row.version,
    updatedAt: row.updatedAt,
    booked: capacityByDay(db),
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
