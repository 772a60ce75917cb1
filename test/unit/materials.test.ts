import { describe, expect, it } from 'vitest';
import { checkMaterials, materialNeeds } from '../../domain/checks/materials';

describe('materialNeeds', () => {
  it('aggregates per material and sorts by materialId', () => {
    const lines = [
      { sku: 'BOX', quantity: 100, unitPriceMinor: 1 },
      { sku: 'LID', quantity: 3, unitPriceMinor: 1 },
      { sku: 'NO-BOM', quantity: 3, unitPriceMinor: 1 },
    ];
    const boms = {
      BOX: [
        { materialId: 'M-KRAFT', quantityPerUnit: 2 },
        { materialId: 'M-GLUE', quantityPerUnit: 0.1 },
      ],
      LID: [{ materialId: 'M-KRAFT', quantityPerUnit: 1 }, { materialId: 'M-GLUE', quantityPerUnit: 0.1 }],
    };
    expect(materialNeeds(lines, boms)).toEqual([
      { materialId: 'M-GLUE', quantity: 10.3 },
      { materialId: 'M-KRAFT', quantity: 203 },
    ]);
  });
});

describe('checkMaterials', () => {
  const needs = [{ materialId: 'M-KRAFT', quantity: 200 }];

  it('passes with exactly enough available stock', () => {
    expect(checkMaterials(needs, { 'M-KRAFT': { onHand: 250, reserved: 50 } })).toEqual({ findings: [], shortages: [] });
  });

  it('fails one unit short, stating the pre-purchase', () => {
    const result = checkMaterials(needs, { 'M-KRAFT': { onHand: 250, reserved: 51 } });
    expect(result.findings.map((f) => f.code)).toEqual(['MATERIAL_SHORTAGE']);
    expect(result.findings[0]?.message).toMatch(/pre-purchase of 1 /);
    expect(result.shortages).toEqual([{ materialId: 'M-KRAFT', needed: 200, available: 199, short: 1 }]);
  });

  it('reports one shortage per material', () => {
    const result = checkMaterials(
      [
        { materialId: 'A', quantity: 5 },
        { materialId: 'B', quantity: 5 },
        { materialId: 'C', quantity: 5 },
      ],
      { A: { onHand: 0, reserved: 0 }, B: { onHand: 5, reserved: 0 }, C: { onHand: 4, reserved: 0 } },
    );
    expect(result.shortages.map((s) => s.materialId)).toEqual(['A', 'C']);
  });

  it('reports a material missing from master data', () => {
    const result = checkMaterials([{ materialId: 'M-NEW', quantity: 7 }], {});
    expect(result.findings.map((f) => f.code)).toEqual(['UNKNOWN_MATERIAL']);
    expect(result.findings[0]?.message).toContain('M-NEW');
    expect(result.shortages).toEqual([{ materialId: 'M-NEW', needed: 7, available: 0, short: 7 }]);
  });
});
