/**
 * Versioned writes of master data (contract section 10). Each save runs inside the caller's write transaction
 * (writeTx takes the write lock first), reads the record as it is, and writes the record and its new version
 * together: two writers at the same moment get consecutive versions, never the same one. A save that changes
 * nothing writes nothing, not even `updatedAt`. Changes are kept in the API's form (money as "1250.00").
 */
import { and, asc, eq } from 'drizzle-orm';
import { diffFields, type FieldChanges, type MasterDataEntity, type MasterDataVersion } from '../domain/changes';
import { formatMoney } from '../domain/money';
import type { CustomerDefaults, CustomerTier } from '../domain/types';
import type { Db, Tx } from './client';
import { capacitySettings, customers, masterDataVersions, materials, productMaterials, products } from './schema';

/** Who writes, and when. */
export interface WriteMeta {
  by: string;
  at: string;
}

/** The outcome of a save: the version the record is at now, and whether this save wrote it. */
export interface Saved {
  version: number;
  changed: boolean;
  changes: FieldChanges;
}

export interface CustomerValues {
  name: string;
  tier: CustomerTier;
  creditLimitMinor: number;
  openBalanceMinor: number;
  allowedPaymentTerms: string[];
  onHold: boolean;
  defaults: CustomerDefaults | null;
}

export interface ProductValues {
  name: string;
  unitPriceMinor: number;
  hoursPerUnit: number;
  materials: { materialId: string; quantityPerUnit: number }[];
}

export interface MaterialValues {
  name: string;
  onHand: number;
  /** Procurement is told when available stock falls below it; null: none. */
  reorderPoint: number | null;
}

export interface CapacityValues {
  hoursPerDay: number;
}

/** The id the capacity settings' versions are kept under (there is one capacity record). */
export const CAPACITY_ID = 'capacity';
const CAPACITY_ROW = 1;

/** The versioned fields of each record, as the API shows them. */
function customerFields(v: CustomerValues): Record<string, unknown> {
  return {
    name: v.name,
    tier: v.tier,
    creditLimit: formatMoney(v.creditLimitMinor),
    openBalance: formatMoney(v.openBalanceMinor),
    allowedPaymentTerms: v.allowedPaymentTerms,
    onHold: v.onHold,
    defaults: v.defaults ?? {},
  };
}

function productFields(v: ProductValues): Record<string, unknown> {
  return {
    name: v.name,
    unitPrice: formatMoney(v.unitPriceMinor),
    hoursPerUnit: v.hoursPerUnit,
    // Sorted: a bill of materials is a set, its order in the request means nothing.
    materials: [...v.materials].sort((a, b) => (a.materialId < b.materialId ? -1 : a.materialId > b.materialId ? 1 : 0)),
  };
}

function materialFields(v: MaterialValues): Record<string, unknown> {
  return { name: v.name, onHand: v.onHand, reorderPoint: v.reorderPoint ?? null };
}

function capacityFields(v: CapacityValues): Record<string, unknown> {
  return { hoursPerDay: v.hoursPerDay };
}

/** Diffs, and when something changed, records the next version; the caller then writes the record at that version. */
function nextVersion(
  tx: Tx,
  entity: MasterDataEntity,
  entityId: string,
  current: { version: number; fields: Record<string, unknown> } | undefined,
  fields: Record<string, unknown>,
  meta: WriteMeta,
): Saved {
  const changes = diffFields(current?.fields, fields);
  if (current && Object.keys(changes).length === 0) return { version: current.version, changed: false, changes };
  const version = (current?.version ?? 0) + 1;
  tx.insert(masterDataVersions).values({ entity, entityId, version, at: meta.at, by: meta.by, changes }).run();
  return { version, changed: true, changes };
}

export function saveCustomer(tx: Tx, id: string, values: CustomerValues, meta: WriteMeta): Saved {
  const row = tx.select().from(customers).where(eq(customers.id, id)).get();
  const current = row && { version: row.version, fields: customerFields({ ...row, defaults: row.defaults ?? null }) };
  const saved = nextVersion(tx, 'customer', id, current, customerFields(values), meta);
  if (!saved.changed) return saved;
  const set = { ...values, version: saved.version, updatedAt: meta.at };
  tx.insert(customers).values({ id, ...set }).onConflictDoUpdate({ target: customers.id, set }).run();
  return saved;
}

export function saveProduct(tx: Tx, sku: string, values: ProductValues, meta: WriteMeta): Saved {
  const row = tx.select().from(products).where(eq(products.sku, sku)).get();
  const bom = row
    ? tx
        .select({ materialId: productMaterials.materialId, quantityPerUnit: productMaterials.quantityPerUnit })
        .from(productMaterials)
        .where(eq(productMaterials.sku, sku))
        .all()
    : [];
  const current = row && { version: row.version, fields: productFields({ ...row, materials: bom }) };
  const saved = nextVersion(tx, 'product', sku, current, productFields(values), meta);
  if (!saved.changed) return saved;
  const { materials: newBom, ...product } = values;
  const set = { ...product, version: saved.version, updatedAt: meta.at };
  tx.insert(products).values({ sku, ...set }).onConflictDoUpdate({ target: products.sku, set }).run();
  tx.delete(productMaterials).where(eq(productMaterials.sku, sku)).run();
  if (newBom.length > 0) tx.insert(productMaterials).values(newBom.map((m) => ({ sku, ...m }))).run();
  return saved;
}

export function saveMaterial(tx: Tx, id: string, values: MaterialValues, meta: WriteMeta): Saved {
  const row = tx.select().from(materials).where(eq(materials.id, id)).get();
  const current = row && { version: row.version, fields: materialFields(row) };
  const saved = nextVersion(tx, 'material', id, current, materialFields(values), meta);
  if (!saved.changed) return saved;
  const set = { ...values, version: saved.version, updatedAt: meta.at };
  tx.insert(materials).values({ id, ...set }).onConflictDoUpdate({ target: materials.id, set }).run();
  return saved;
}

export function saveCapacity(tx: Tx, values: CapacityValues, meta: WriteMeta): Saved {
  const row = tx.select().from(capacitySettings).where(eq(capacitySettings.id, CAPACITY_ROW)).get();
  const current = row && { version: row.version, fields: capacityFields(row) };
  const saved = nextVersion(tx, 'capacity', CAPACITY_ID, current, capacityFields(values), meta);
  if (!saved.changed) return saved;
  const set = { ...values, version: saved.version, updatedAt: meta.at };
  tx.insert(capacitySettings).values({ id: CAPACITY_ROW, ...set }).onConflictDoUpdate({ target: capacitySettings.id, set }).run();
  return saved;
}

/** Every kept version of a record, oldest first. */
export function versionsOf(db: Db, entity: MasterDataEntity, entityId: string): MasterDataVersion[] {
  return db
    .select({ version: masterDataVersions.version, at: masterDataVersions.at, by: masterDataVersions.by, changes: masterDataVersions.changes })
    .from(masterDataVersions)
    .where(and(eq(masterDataVersions.entity, entity), eq(masterDataVersions.entityId, entityId)))
    .orderBy(asc(masterDataVersions.version))
    .all();
}
