/** Procurement's automatic check: is there enough unreserved stock of every material the order consumes? */
import type { Finding, OrderLine } from '../types';

// Bills of materials may use fractional quantities (0.1 m² per unit); drop float noise such as 0.30000000000000004.
const roundQty = (n: number): number => Math.round(n * 1e6) / 1e6;

/** Total quantity of each material the lines consume, one entry per material, sorted by materialId. */
export function materialNeeds(
  lines: OrderLine[],
  boms: Record<string, { materialId: string; quantityPerUnit: number }[]>,
): { materialId: string; quantity: number }[] {
  const totals = new Map<string, number>();
  for (const line of lines) {
    const bom = Object.prototype.hasOwnProperty.call(boms, line.sku) ? boms[line.sku] : undefined;
    for (const item of bom ?? []) {
      totals.set(item.materialId, (totals.get(item.materialId) ?? 0) + line.quantity * item.quantityPerUnit);
    }
  }
  return [...totals.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) // code-unit order: localeCompare would depend on the host's ICU
    .map((materialId) => ({ materialId, quantity: roundQty(totals.get(materialId) ?? 0) }));
}

/**
 * Compares needs with available stock (on hand − reserved). An unknown material has nothing available:
 * it is reported as UNKNOWN_MATERIAL and also listed in `shortages`, since all of it must be bought.
 */
export function checkMaterials(
  needs: { materialId: string; quantity: number }[],
  stock: Record<string, { onHand: number; reserved: number }>,
): { findings: Finding[]; shortages: { materialId: string; needed: number; available: number; short: number }[] } {
  const findings: Finding[] = [];
  const shortages: { materialId: string; needed: number; available: number; short: number }[] = [];

  for (const { materialId, quantity: needed } of needs) {
    if (needed <= 0) continue;
    const entry = Object.prototype.hasOwnProperty.call(stock, materialId) ? stock[materialId] : undefined;
    if (!entry) {
      findings.push({
        code: 'UNKNOWN_MATERIAL',
        message: `material ${materialId} (${needed} needed) is not in the materials master data`,
      });
      shortages.push({ materialId, needed, available: 0, short: needed });
      continue;
    }
    const available = roundQty(entry.onHand - entry.reserved);
    if (needed > available) {
      const short = roundQty(needed - available);
      findings.push({
        code: 'MATERIAL_SHORTAGE',
        message:
          `material ${materialId}: ${needed} needed but only ${available} available ` +
          `(${entry.onHand} on hand, ${entry.reserved} reserved); a pre-purchase of ${short} is needed`,
      });
      shortages.push({ materialId, needed, available, short });
    }
  }
  return { findings, shortages };
}
