import { describe, expect, it } from 'vitest';
import { dueReason, inboxRank } from '../../domain/priority';

const due = '2026-12-10T12:00:00.000Z';
const base = { priority: 'normal' as const, tier: 'standard' as const, totalMinor: 100_00, currency: 'CNY', dueAt: due, escalated: false };

describe('inbox rank', () => {
  it('a standard, small, normal order ranks at its due time with no reasons', () => {
    expect(inboxRank(base)).toEqual({ rankAt: due, reasons: [] });
  });
  it('a VIP customer counts 8 h earlier, a key account 4 h', () => {
    expect(inboxRank({ ...base, tier: 'vip' })).toEqual({ rankAt: '2026-12-10T04:00:00.000Z', reasons: ['VIP customer'] });
    expect(inboxRank({ ...base, tier: 'key' })).toEqual({ rankAt: '2026-12-10T08:00:00.000Z', reasons: ['key account'] });
  });
  it('value counts from 10,000.00 (4 h) and 100,000.00 (8 h), exactly at the boundary', () => {
    expect(inboxRank({ ...base, totalMinor: 9_999_99 }).rankAt).toBe(due);
    expect(inboxRank({ ...base, totalMinor: 10_000_00 })).toEqual({ rankAt: '2026-12-10T08:00:00.000Z', reasons: ['high value: 10000.00 CNY'] });
    expect(inboxRank({ ...base, totalMinor: 100_000_00 }).rankAt).toBe('2026-12-10T04:00:00.000Z');
  });
  it('tier and value add up; urgency and escalation are named (they order before the rank)', () => {
    expect(inboxRank({ ...base, tier: 'vip', totalMinor: 200_000_00, priority: 'urgent', escalated: true })).toEqual({
      rankAt: '2026-12-09T20:00:00.000Z',
      reasons: ['urgent order', 'escalated to management', 'VIP customer', 'high value: 200000.00 CNY'],
    });
  });
});

describe('due reason', () => {
  const now = Date.parse('2026-12-10T09:00:00.000Z');
  it.each([
    ['2026-12-10T12:00:00.000Z', 'due in 3 h'],
    ['2026-12-10T09:20:00.000Z', 'due in 20 min'],
    ['2026-12-13T09:00:00.000Z', 'due in 3 days'],
    ['2026-12-10T07:00:00.000Z', 'overdue by 2 h'],
  ])('%s → %s', (at, text) => expect(dueReason(at, now)).toBe(text));
});
