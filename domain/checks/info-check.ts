/** Sales' automatic check: known SKUs at list price, consistent totals and a plausible delivery date. */
import { addDays, daysBetween, isIsoDate } from '../dates';
import { formatMoney } from '../money';
import type { Finding, NormalisedOrder } from '../types';

/** How far ahead an order may ask for delivery. */
export const MAX_DELIVERY_DAYS_AHEAD = 365;

/** Returns why the order's information needs a salesperson's look; an empty array means it passes. */
export function checkInfo(
  order: NormalisedOrder,
  catalogue: Record<string, { unitPriceMinor: number }>,
  today: string,
): Finding[] {
  const findings: Finding[] = [];
  const linesBySku = new Map<string, number[]>();

  order.lines.forEach((line, index) => {
    const lineNo = index + 1;
    linesBySku.set(line.sku, [...(linesBySku.get(line.sku) ?? []), lineNo]);
    // Own-property lookup so a SKU named like an Object.prototype member ("constructor") is not "known".
    const product = Object.prototype.hasOwnProperty.call(catalogue, line.sku) ? catalogue[line.sku] : undefined;
    if (!product) {
      if (linesBySku.get(line.sku)?.length === 1) {
        findings.push({ code: 'UNKNOWN_SKU', message: `SKU ${line.sku} (line ${lineNo}) is not in the product catalogue` });
      }
      return;
    }
    if (line.unitPriceMinor !== product.unitPriceMinor) {
      findings.push({
        code: 'PRICE_MISMATCH',
        message:
          `line ${lineNo}: SKU ${line.sku} is priced at ${formatMoney(line.unitPriceMinor)} ` +
          `but its list price is ${formatMoney(product.unitPriceMinor)}`,
      });
    }
  });

  for (const [sku, lineNos] of linesBySku) {
    if (lineNos.length > 1) {
      findings.push({ code: 'DUPLICATE_SKU', message: `SKU ${sku} appears on several lines (${lineNos.join(', ')})` });
    }
  }

  if (order.declaredTotalMinor !== null && order.declaredTotalMinor !== order.totalMinor) {
    findings.push({
      code: 'TOTAL_MISMATCH',
      message:
        `declared total ${formatMoney(order.declaredTotalMinor)} does not match ` +
        `the sum of the lines ${formatMoney(order.totalMinor)}`,
    });
  }

  findings.push(...checkDeliveryDate(order.requestedDeliveryDate, today));
  return findings;
}

function checkDeliveryDate(requested: string, today: string): Finding[] {
  if (!isIsoDate(requested)) {
    return [
      {
        code: 'INVALID_DELIVERY_DATE',
        message: `requested delivery date ${JSON.stringify(requested)} is not a real calendar date (YYYY-MM-DD)`,
      },
    ];
  }
  const daysAhead = daysBetween(today, requested);
  if (daysAhead < 0) {
    return [{ code: 'DELIVERY_DATE_IN_PAST', message: `requested delivery date ${requested} is before today (${today})` }];
  }
  if (daysAhead > MAX_DELIVERY_DAYS_AHEAD) {
    return [
      {
        code: 'DELIVERY_DATE_TOO_FAR',
        message:
          `requested delivery date ${requested} is ${daysAhead} days ahead; ` +
          `the latest accepted is ${addDays(today, MAX_DELIVERY_DAYS_AHEAD)} (${MAX_DELIVERY_DAYS_AHEAD} days)`,
      },
    ];
  }
  return [];
}
