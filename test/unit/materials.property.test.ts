/** Properties of procurement's rule: a material is short if and only if the need exceeds what is available. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMaterials, materialNeeds } from '../../domain/checks/materials';

const ids = ['M-A', 'M-B', 'M-C', 'M-D'];
const qty = fc.integer({ min: 0, max: 1_000_000 });

describe('materials properties', () => {
  it('reports a shortage (with the amount) if and only if need > on hand − reserved; unknown materials are short by all', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ materialId: fc.constantFrom(...ids), quantity: qty }), { selector: (n) => n.materialId }),
        fc.dictionary(fc.constantFrom(...ids), fc.record({ onHand: qty, reserved: qty })),
        (needs, stock) => {
          const { findings, shortages } = checkMaterials(needs, stock);
          for (const n of needs) {
            const s = stock[n.materialId];
            const available = s ? s.onHand - s.reserved : 0;
            const short = shortages.find((x) => x.materialId === n.materialId);
            const isShort = n.quantity > 0 && n.quantity > available;
            expect(!!short).toBe(isShort);
            if (short) {
              expect(short).toEqual({ materialId: n.materialId, needed: n.quantity, available, short: n.quantity - available });
              expect(findings.some((f) => f.code === (s ? 'MATERIAL_SHORTAGE' : 'UNKNOWN_MATERIAL') && f.message.includes(n.materialId))).toBe(true);
            }
          }
          expect(findings).toHaveLength(shortages.length);
        },
      ),
    );
  });

  it('needs are Σ quantity × per unit per material, whatever the order of lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ sku: fc.constantFrom('S1', 'S2', 'S3'), quantity: fc.integer({ min: 1, max: 1000 }), unitPriceMinor: fc.constant(1) }), { maxLength: 10 }),
        (lines) => {
          const boms = { S1: [{ materialId: 'M-A', quantityPerUnit: 2 }], S2: [{ materialId: 'M-A', quantityPerUnit: 1 }, { materialId: 'M-B', quantityPerUnit: 3 }], S3: [] };
          const needs = materialNeeds(lines, boms);
          const expectA = lines.reduce((s, l) => s + (l.sku === 'S1' ? 2 : l.sku === 'S2' ? 1 : 0) * l.quantity, 0);
          const expectB = lines.reduce((s, l) => s + (l.sku === 'S2' ? 3 : 0) * l.quantity, 0);
          expect(needs).toEqual([
            ...(expectA > 0 || lines.some((l) => l.sku !== 'S3') ? [{ materialId: 'M-A', quantity: expectA }] : []),
            ...(lines.some((l) => l.sku === 'S2') ? [{ materialId: 'M-B', quantity: expectB }] : []),
          ]);
          expect(materialNeeds([...lines].reverse(), boms)).toEqual(needs);
        },
      ),
    );
  });
});
