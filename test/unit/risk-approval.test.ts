import { describe, expect, it } from 'vitest';
import { checkFinalApproval } from '../../domain/checks/final-approval';
import { checkSpecialRequirements } from '../../domain/checks/special-requirements';
import { assessRisk } from '../../domain/risk';
import { BUILT_IN_POLICY, resolvePolicy } from '../../domain/policy';
import { cleanOrder, TODAY } from './fixtures';

const defaults = resolvePolicy(BUILT_IN_POLICY).autoApprove;

describe('assessRisk', () => {
  it('keeps a clean order from a standard-tier customer within the default maxRiskScore', () => {
    const risk = assessRisk({ order: cleanOrder(), customerTier: 'standard', creditLimitMinor: 500_000_00, today: TODAY });
    expect(risk.score).toBeLessThanOrEqual(defaults.maxRiskScore);
    expect(risk).toEqual({ score: 10, reasons: ['standard-tier customer (+10)'] });
  });

  it('scores a clean vip order 0 with no reasons', () => {
    expect(assessRisk({ order: cleanOrder(), customerTier: 'vip', creditLimitMinor: 500_000_00, today: TODAY })).toEqual({
      score: 0,
      reasons: [],
    });
  });

  it('explains each factor with its points', () => {
    const order = cleanOrder({
      priority: 'urgent',
      specialRequirements: ['die-cut window'],
      requestedDeliveryDate: '2026-06-07', // 6 days of lead time
      lines: Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1, unitPriceMinor: 100 })),
      totalMinor: 5100,
    });
    const risk = assessRisk({ order, customerTier: 'key', creditLimitMinor: 10_000, today: TODAY });
    expect(risk.reasons).toEqual([
      'key-tier customer (+5)',
      'urgent priority (+10)',
      '1 special requirement (+15)',
      'total 51.00 is more than 50% of the credit limit 100.00 (+20)',
      'lead time of 6 days is under 7 days (+15)',
      '51 order lines (more than 50) (+5)',
    ]);
    expect(risk.score).toBe(70);
  });

  it('treats exactly half the credit limit and exactly 7 days of lead time as fine', () => {
    const order = cleanOrder({ totalMinor: 5000, requestedDeliveryDate: '2026-06-08' });
    expect(assessRisk({ order, customerTier: 'vip', creditLimitMinor: 10_000, today: TODAY }).score).toBe(0);
  });

  it('counts a zero credit limit as exceeded', () => {
    const risk = assessRisk({ order: cleanOrder(), customerTier: 'vip', creditLimitMinor: 0, today: TODAY });
    expect(risk.score).toBe(20);
  });
});

describe('checkSpecialRequirements', () => {
  it('gives one finding per requirement, quoting it', () => {
    const findings = checkSpecialRequirements(['die-cut window', 'food-safe ink']);
    expect(findings.map((f) => f.code)).toEqual(['SPECIAL_REQUIREMENT', 'SPECIAL_REQUIREMENT']);
    expect(findings[1]?.message).toContain('food-safe ink');
  });

  it('gives none without requirements', () => {
    expect(checkSpecialRequirements([])).toEqual([]);
  });
});

describe('checkFinalApproval', () => {
  const clean = {
    earlierStepStatuses: ['auto_approved', 'auto_approved', 'skipped'] as const,
    totalMinor: defaults.finalApprovalLimitMinor,
    riskScore: defaults.maxRiskScore,
    autoApprove: defaults,
  };

  it('is automatic when all earlier steps were automatic and limits hold exactly', () => {
    expect(checkFinalApproval({ ...clean, earlierStepStatuses: [...clean.earlierStepStatuses] })).toEqual([]);
  });

  it('needs management after a human decision', () => {
    const findings = checkFinalApproval({ ...clean, earlierStepStatuses: ['auto_approved', 'approved'] });
    expect(findings.map((f) => f.code)).toEqual(['MANUAL_DECISIONS_EARLIER']);
  });

  it('needs management one minor unit over the limit', () => {
    const findings = checkFinalApproval({ ...clean, earlierStepStatuses: [], totalMinor: defaults.finalApprovalLimitMinor + 1 });
    expect(findings.map((f) => f.code)).toEqual(['FINAL_APPROVAL_LIMIT_EXCEEDED']);
    expect(findings[0]?.message).toContain('50000.01');
  });

  it('needs management one point above the maximum risk score', () => {
    const findings = checkFinalApproval({ ...clean, earlierStepStatuses: [], riskScore: defaults.maxRiskScore + 1 });
    expect(findings.map((f) => f.code)).toEqual(['RISK_SCORE_TOO_HIGH']);
  });
});
