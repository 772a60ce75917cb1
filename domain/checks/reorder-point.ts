/**
 * Procurement's reorder point (contract section 9): a material is below it when its available stock (on hand −
 * reserved) is less than the point. Procurement hears of it once per crossing: when a change takes the material
 * from not below to below — not again while it stays below, and again after it recovered and falls once more.
 */

export interface StockLevel {
  available: number;
  reorderPoint: number | null;
}

export function isBelowReorderPoint(s: StockLevel): boolean {
  return s.reorderPoint !== null && s.available < s.reorderPoint;
}

/** True when the change from `before` to `after` crossed the reorder point downwards (or set one above the stock). */
export function fellBelowReorderPoint(before: StockLevel, after: StockLevel): boolean {
  return !isBelowReorderPoint(before) && isBelowReorderPoint(after);
}
