/**
 * Master data reads and writes. Money is stored in minor units and shown as decimal strings. A PUT replaces the
 * record itself but never the reservations or bookings reviews made against it.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { type Db, writeTx } from '../../db/client';
import { capacitySettings, customers, materials, productMaterials, products } from '../../db/schema';
import { capacityByDay, logReorderCrossings, type MaterialStock, materialStock, reservedSql } from '../../db/stock';
import { isBelowReorderPoint } from '../../domain/checks/reorder-point';
import { formatMoney, parseMoney } from '../../domain/money';
import type { capacityBody, customerBody, materialBody, productBody } from '../schemas/master-data';

type CustomerRow = typeof customers.$inferSelect;
type ProductRow = typeof products.$inferSelect;

const nowIso = (): string => new Date().toISOString();

function customerView(row: CustomerRow) {
  return {
    customerId: row.id,
    name: row.name,
    tier: row.tier,
    creditLimit: formatMoney(row.creditLimitMinor),
    openBalance: formatMoney(row.openBalanceMinor),
    allowedPaymentTerms: row.allowedPaymentTerms,
    onHold: row.onHold,
    updatedAt: row.updatedAt,
  };
}

export function putCustomer(db: Db, customerId: string, body: z.output<typeof customerBody>) {
  const values = {
    name: body.name,
    tier: body.tier,
    creditLimitMinor: parseMoney(body.creditLimit),
    openBalanceMinor: parseMoney(body.openBalance),
    // Stored as the credit check compares them: trimmed and upper-case, each once.
    allowedPaymentTerms: [...new Set(body.allowedPaymentTerms.map((t) => t.trim().toUpperCase()))],
    onHold: body.onHold,
    updatedAt: nowIso(),
  };
  const row = db
    .insert(customers)
    .values({ id: customerId, ...values })
    .onConflictDoUpdate({ target: customers.id, set: values })
    .returning()
    .get();
  return customerView(row);
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
    updatedAt: row.updatedAt,
  }));
}

/** Replaces the product and its bill of materials in one transaction. */
export function putProduct(db: Db, sku: string, body: z.output<typeof productBody>) {
  const values = { name: body.name, unitPriceMinor: parseMoney(body.unitPrice), hoursPerUnit: body.hoursPerUnit, updatedAt: nowIso() };
  writeTx(db, (tx) => {
    tx.insert(products).values({ sku, ...values }).onConflictDoUpdate({ target: products.sku, set: values }).run();
    tx.delete(productMaterials).where(eq(productMaterials.sku, sku)).run();
    if (body.materials.length > 0) {
      tx.insert(productMaterials)
        .values(body.materials.map((m) => ({ sku, materialId: m.materialId, quantityPerUnit: m.quantityPerUnit })))
        .run();
    }
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
    updatedAt: m.updatedAt,
  };
}

/**
 * Creates or replaces a material. Reservations are kept; a change that takes it below its reorder point (a lower
 * stock count, or a reorder point set above what is available) tells procurement, in the same transaction.
 */
export function putMaterial(db: Db, materialId: string, body: z.output<typeof materialBody>, by = 'system') {
  const values = { name: body.name, onHand: body.onHand, reorderPoint: body.reorderPoint ?? null, updatedAt: nowIso() };
  const logged = writeTx(db, (tx) => {
    const before = materialStock(tx, [materialId]);
    tx.insert(materials).values({ id: materialId, ...values }).onConflictDoUpdate({ target: materials.id, set: values }).run();
    return logReorderCrossings(tx, before, { eventId: () => randomUUID(), actor: by, at: values.updatedAt });
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

export function putCapacity(db: Db, body: z.output<typeof capacityBody>) {
  const values = { hoursPerDay: body.hoursPerDay, updatedAt: nowIso() };
  db.insert(capacitySettings)
    .values({ id: CAPACITY_ROW, ...values })
    .onConflictDoUpdate({ target: capacitySettings.id, set: values })
    .run();
  return getCapacity(db)!;
}

export function getCapacity(db: Db) {
  const row = db.select().from(capacitySettings).where(eq(capacitySettings.id, CAPACITY_ROW)).get();
  if (!row) return undefined;
  return {
    hoursPerDay: row.hoursPerDay,
    updatedAt: row.updatedAt,
    booked: capacityByDay(db),
  };
}
