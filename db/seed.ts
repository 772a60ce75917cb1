/**
 * Demo master data and principals for the embedded `npm start`, so a first-time user can submit an order and walk
 * it through every department without setting anything up.
 */
import { ne } from 'drizzle-orm';
import { type Db, writeTx } from './client';
import { saveCapacity, saveCustomer, saveMaterial, saveProduct } from './master-data';
import { generateToken, hashToken } from './principals';
import { customers, principals } from './schema';

/** The demo principals and their roles, in the order they are listed to the user. */
export const DEMO_PRINCIPALS: readonly { id: string; name: string; roles: string[] }[] = [
  { id: 'shop', name: 'Web shop integration', roles: ['integrator'] },
  // Master data is written by the company's systems (v1.1), not by the integrator.
  { id: 'erp', name: 'ERP system', roles: ['erp'] },
  { id: 'sales-approver', name: 'Sales approver', roles: ['approver:sales'] },
  { id: 'finance-approver', name: 'Finance approver', roles: ['approver:finance'] },
  { id: 'production-approver', name: 'Production approver', roles: ['approver:production'] },
  { id: 'procurement-approver', name: 'Procurement approver', roles: ['approver:procurement'] },
  { id: 'engineering-approver', name: 'Engineering approver', roles: ['approver:engineering'] },
  { id: 'management-approver', name: 'Management approver', roles: ['approver:management'] },
  { id: 'auditor', name: 'Auditor', roles: ['auditor'] },
];

const DEMO_CUSTOMERS = [
  // Clean: any reasonable demo order passes the credit check. A returning customer: its orders may leave out
  // payment terms, currency and ship-to.
  {
    id: 'C-1001', name: 'Acme Retail GmbH', tier: 'standard', creditLimitMinor: 50_000_000, openBalanceMinor: 12_000_000, allowedPaymentTerms: ['NET30', 'NET60'], onHold: false,
    defaults: {
      paymentTerms: 'NET30',
      currency: 'CNY',
      shipTo: { name: 'Acme Retail DC', street: '88 Logistics Road', city: 'Shanghai', postalCode: '201100', country: 'CN' },
      contact: { name: 'Anna Becker', email: 'purchasing@acme.example', phone: '+86 21 5555 0100' },
    },
  },
  { id: 'C-1002', name: 'Northwind Foods (on credit hold)', tier: 'key', creditLimitMinor: 20_000_000, openBalanceMinor: 19_500_000, allowedPaymentTerms: ['NET30'], onHold: true },
  // Tiny limit: a modest order exceeds it and waits for finance.
  { id: 'C-1003', name: 'Corner Crafts Ltd (small credit line)', tier: 'standard', creditLimitMinor: 100_000, openBalanceMinor: 80_000, allowedPaymentTerms: ['PREPAID', 'NET30'], onHold: false },
  { id: 'C-2001', name: 'Globex Logistics', tier: 'vip', creditLimitMinor: 200_000_000, openBalanceMinor: 0, allowedPaymentTerms: ['NET30', 'NET60', 'NET90'], onHold: false },
] as const;

const DEMO_MATERIALS = [
  { id: 'M-KRAFT', name: 'Kraft liner board (sheet)', onHand: 10_000 },
  { id: 'M-FLUTE-E', name: 'E-flute medium (sheet)', onHand: 6_000 },
  { id: 'M-GLUE', name: 'Starch glue (g)', onHand: 50_000 },
  { id: 'M-INK-CMYK', name: 'Process ink set (ml)', onHand: 2_000 },
  // Scarce: procurement is told once orders take it below 100 sheets.
  { id: 'M-WINDOW', name: 'PET window film (sheet)', onHand: 300, reorderPoint: 100 },
];

const DEMO_PRODUCTS = [
  {
    sku: 'BOX-E-001', name: 'E-flute mailer box, 200x150x50', unitPriceMinor: 1_250, hoursPerUnit: 0.05,
    materials: [{ materialId: 'M-KRAFT', quantityPerUnit: 2 }, { materialId: 'M-FLUTE-E', quantityPerUnit: 1 }, { materialId: 'M-GLUE', quantityPerUnit: 5 }],
  },
  {
    sku: 'BOX-P-010', name: 'Printed retail box, 4 colours', unitPriceMinor: 3_400, hoursPerUnit: 0.12,
    materials: [{ materialId: 'M-KRAFT', quantityPerUnit: 3 }, { materialId: 'M-INK-CMYK', quantityPerUnit: 2 }, { materialId: 'M-GLUE', quantityPerUnit: 8 }],
  },
  {
    // Scarce window film: larger orders need a pre-purchase.
    sku: 'BOX-W-020', name: 'Window display box', unitPriceMinor: 5_900, hoursPerUnit: 0.2,
    materials: [{ materialId: 'M-KRAFT', quantityPerUnit: 3 }, { materialId: 'M-WINDOW', quantityPerUnit: 1 }, { materialId: 'M-GLUE', quantityPerUnit: 10 }],
  },
];

/** True when the database holds neither customers nor principals other than admin: a first start. */
export function needsDemoData(db: Db): boolean {
  const customer = db.select({ id: customers.id }).from(customers).limit(1).get();
  const principal = db.select({ id: principals.id }).from(principals).where(ne(principals.id, 'admin')).limit(1).get();
  return !customer && !principal;
}

/**
 * Inserts the demo data in one transaction and returns the demo principals' tokens. `reuseTokens` keeps tokens a
 * user already has (from an earlier demo-tokens.json) valid when the app database was deleted and seeded again.
 */
export function seedDemoData(
  db: Db,
  opts: { reuseTokens?: Record<string, string>; now?: Date } = {},
): { tokens: Record<string, string> } {
  const now = (opts.now ?? new Date()).toISOString();
  const tokens: Record<string, string> = {};
  for (const p of DEMO_PRINCIPALS) tokens[p.id] = opts.reuseTokens?.[p.id] ?? generateToken();

  // Written like any master-data change, so each record starts at version 1 "by seed".
  const meta = { by: 'seed', at: now };
  writeTx(db, (tx) => {
    for (const { id, ...c } of DEMO_CUSTOMERS) {
      saveCustomer(tx, id, { ...c, allowedPaymentTerms: [...c.allowedPaymentTerms], defaults: 'defaults' in c ? c.defaults : null }, meta);
    }
    for (const { id, ...m } of DEMO_MATERIALS) saveMaterial(tx, id, { reorderPoint: null, ...m }, meta);
    for (const { sku, ...p } of DEMO_PRODUCTS) saveProduct(tx, sku, p, meta);
    saveCapacity(tx, { hoursPerDay: 16 }, meta);
    for (const p of DEMO_PRINCIPALS) {
      tx.insert(principals)
        .values({ id: p.id, name: p.name, roles: p.roles, tokenHash: hashToken(tokens[p.id]!), createdAt: now })
        .run();
    }
  });
  return { tokens };
}
