import { describe, expect, it } from 'vitest';
import { BUILT_IN_POLICY, parsePolicy, PolicyError, type RawPolicy } from '../../domain/policy';

/** A deep copy of the built-in policy, changed by `edit`, as untyped JSON. */
function variant(edit: (p: RawPolicy & Record<string, unknown>) => void): unknown {
  const copy = structuredClone(BUILT_IN_POLICY) as RawPolicy & Record<string, unknown>;
  edit(copy);
  return copy;
}

/** The PolicyError parsePolicy throws for `json`; fails the test if it does not throw one. */
function policyError(json: unknown): PolicyError {
  try {
    parsePolicy(json);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return err as PolicyError;
  }
  throw new Error('expected parsePolicy to throw a PolicyError');
}

describe('parsePolicy', () => {
  it('parses the built-in policy and resolves durations and money', () => {
    const policy = parsePolicy(BUILT_IN_POLICY);
    expect(policy.autoApprove).toEqual({ finalApprovalLimitMinor: 5_000_000, maxRiskScore: 30 });
    expect(policy.segregationOfDuties).toBe(true);
    expect(policy.maxRevisions).toBe(3);
    expect(policy.stages).toEqual([
      ['info_check'],
      ['credit', 'capacity', 'materials', 'special_requirements'],
      ['final_approval'],
    ]);
    expect(policy.steps.info_check).toEqual({
      reminderAfterMs: 4 * 3_600_000,
      escalateAfterMs: 8 * 3_600_000,
      timeoutAfterMs: 24 * 3_600_000,
      onTimeout: 'reject',
    });
    expect(policy.steps.special_requirements.timeoutAfterMs).toBe(5 * 86_400_000);
    expect(policy.changesRequestedTimeoutMs).toBe(7 * 86_400_000);
  });

  it('accepts the strictly sequential plan and equal timers', () => {
    const policy = parsePolicy(
      variant((p) => {
        p.stages = [['info_check'], ['credit'], ['capacity'], ['materials'], ['special_requirements'], ['final_approval']];
        p.steps.credit = { reminderAfter: '1h', escalateAfter: '60m', timeoutAfter: '3600s', onTimeout: 'expire' };
      }),
    );
    expect(policy.stages).toHaveLength(6);
    expect(policy.steps.credit.onTimeout).toBe('expire');
  });

  it('reports a step missing from the stages', () => {
    const err = policyError(variant((p) => (p.stages = [['info_check'], ['credit', 'capacity', 'materials'], ['final_approval']])));
    expect(err.message).toMatch(/^stages: special_requirements is missing/m);
  });

  it('reports a step missing from steps', () => {
    const err = policyError(variant((p) => delete (p.steps as Partial<RawPolicy['steps']>).materials));
    expect(err.message).toMatch(/^steps\.materials: /m);
  });

  it('reports a duplicated step with its position', () => {
    const err = policyError(
      variant((p) => (p.stages = [['info_check', 'credit'], ['credit', 'capacity', 'materials', 'special_requirements'], ['final_approval']])),
    );
    expect(err.message).toMatch(/^stages\.1\.0: credit appears more than once/m);
  });

  it('reports final_approval that is not last', () => {
    const err = policyError(
      variant((p) => (p.stages = [['info_check'], ['final_approval'], ['credit', 'capacity', 'materials', 'special_requirements']])),
    );
    expect(err.message).toMatch(/^stages\.2: final_approval must be alone in the last stage/m);
  });

  it('reports final_approval sharing the last stage', () => {
    const err = policyError(
      variant((p) => (p.stages = [['info_check'], ['credit', 'capacity', 'materials'], ['special_requirements', 'final_approval']])),
    );
    expect(err.message).toMatch(/^stages\.2: final_approval must be alone/m);
  });

  it('reports reminderAfter longer than escalateAfter', () => {
    const err = policyError(variant((p) => (p.steps.credit.reminderAfter = '25h')));
    expect(err.message).toMatch(/^steps\.credit\.reminderAfter: reminderAfter \(25h\) must not be longer than escalateAfter \(24h\)/m);
  });

  it('reports escalateAfter longer than timeoutAfter', () => {
    const err = policyError(variant((p) => (p.steps.final_approval.escalateAfter = '3d')));
    expect(err.message).toMatch(/^steps\.final_approval\.escalateAfter: /m);
  });

  it('reports an unknown key, e.g. a typo', () => {
    const err = policyError(variant((p) => (p.steps.info_check as Record<string, unknown>).remindAfter = '1h'));
    expect(err.message).toMatch(/^steps\.info_check: .*remindAfter/m);
    const top = policyError(variant((p) => (p.maxRevision = 3)));
    expect(top.message).toMatch(/^\(root\): .*maxRevision/m);
  });

  it('reports a bad duration', () => {
    const err = policyError(variant((p) => (p.steps.capacity.timeoutAfter = '2 days')));
    expect(err.message).toMatch(/^steps\.capacity\.timeoutAfter: must be a duration/m);
    expect(policyError(variant((p) => (p.changesRequestedTimeout = '0d'))).message).toMatch(/^changesRequestedTimeout: /m);
  });

  it('reports bad scalar fields', () => {
    const err = policyError(
      variant((p) => {
        p.autoApprove.finalApprovalLimit = '50000.001';
        p.autoApprove.maxRiskScore = 101;
        p.maxRevisions = 0;
        p.steps.credit.onTimeout = 'ignore' as 'reject';
      }),
    );
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      'autoApprove.finalApprovalLimit',
      'autoApprove.maxRiskScore',
      'maxRevisions',
      'steps.credit.onTimeout',
    ]);
    expect(err.message.split('\n')).toHaveLength(5); // a header, then one line per problem
  });

  it('reports an unknown step id and an empty stage', () => {
    const err = policyError(variant((p) => (p.stages = [['info_check'], [], ['kredit' as 'credit'], ['final_approval']])));
    expect(err.message).toMatch(/^stages\.1: /m);
    expect(err.message).toMatch(/^stages\.2\.0: /m);
  });

  it('rejects something that is not an object', () => {
    expect(policyError(null).message).toMatch(/^\(root\): /m);
    expect(policyError([]).message).toMatch(/^\(root\): /m);
  });
});
