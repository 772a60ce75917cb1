/**
 * Running one review step: its automatic check, and when the check does not pass, the human wait with
 * the policy's reminder, escalation and timeout.
 */
import { condition, log, proxyLocalActivities } from '@temporalio/workflow';
import type { ReviewActivities } from '../activities';
import { checkFinalApproval } from '../domain/checks/final-approval';
import { checkSpecialRequirements } from '../domain/checks/special-requirements';
import type { CheckEvidence, CheckOutcome } from '../domain/evidence';
import { stepDeadlines } from '../domain/step-deadlines';
import type { Finding, ReviewStepId, StepId } from '../domain/types';
import type { Review } from './review';
import { nowIso } from './review';

/**
 * Every activity is a short SQLite call in the worker's own process, so all of them are local activities: they
 * run inside the workflow task instead of costing a server round trip each, and a decision is answered in one
 * workflow task with the read model already written (S1 and S2 in BENCHMARKS.md). They are idempotent, so a
 * local activity re-run after a worker crash is harmless, and retrying until the database answers is safe.
 */
const acts = proxyLocalActivities<ReviewActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** How a stage ended early: the first step that rejected, requested changes or timed out decides. */
export interface StageEnd {
  kind: 'rejected' | 'expired' | 'changes_requested';
  step: StepId;
  reason: string;
}

export class StageControl {
  end: StageEnd | null = null;
  constructor(private readonly review: Review) {}
  /** A step stops waiting once the stage has ended or the order is being amended or cancelled. */
  get stopped(): boolean {
    return this.end !== null || this.review.interrupted;
  }
  finish(end: StageEnd): void {
    this.end ??= end;
  }
}

export interface CheckResult {
  findings: Finding[];
  /** The figures and master-data versions the check decided on (section 10); null for checks on the order alone. */
  evidence: CheckEvidence | null;
  /** What the check held (reservations, bookings), for the audit trail. */
  held?: string;
}

/**
 * An activity result as this code or an older one returned it. Orders started before evidence existed replay their
 * local-activity markers with the result shapes of then: checkOrderInfo and checkOrderCredit returned `Finding[]`,
 * bookCapacity and reserveMaterials a result without `evidence`. Reading both keeps those orders replaying.
 */
function checked(res: CheckOutcome | Finding[] | { findings: Finding[]; evidence?: CheckEvidence }): { findings: Finding[]; evidence: CheckEvidence | null } {
  if (Array.isArray(res)) return { findings: res, evidence: null };
  return { findings: res.findings, evidence: res.evidence ?? null };
}

/** Runs the step's automatic check; for capacity and materials it also makes the hold when the check passes. */
export async function runCheck(r: Review, step: ReviewStepId): Promise<CheckResult> {
  const order = r.order;
  switch (step) {
    case 'info_check':
      return checked(await acts.checkOrderInfo({ order, calendar: r.policy.calendar }));
    case 'credit':
      return checked(await acts.checkOrderCredit({ order }));
    case 'capacity': {
      const res = await acts.bookCapacity({ order, revision: r.revision, force: false, calendar: r.policy.calendar });
      return { ...checked(res), held: res.held ? res.summary : undefined };
    }
    case 'materials': {
      const res = await acts.reserveMaterials({ order, revision: r.revision, force: false });
      return { ...checked(res), held: res.held ? res.summary : undefined };
    }
    case 'special_requirements':
      return { findings: checkSpecialRequirements(order.specialRequirements), evidence: null };
    case 'final_approval': {
      const earlier = [...r.steps.values()].filter((s) => s.step !== 'final_approval').map((s) => s.status);
      const findings = checkFinalApproval({
        earlierStepStatuses: earlier,
        totalMinor: order.totalMinor,
        riskScore: r.risk?.score ?? 0,
        autoApprove: r.policy.autoApprove,
      });
      return { findings, evidence: null };
    }
  }
}

/** Runs one step to its end: auto-approved, skipped, decided, timed out, or cancelled by the stage. */
export async function runStep(r: Review, step: ReviewStepId, ctl: StageControl): Promise<void> {
  const s = r.step(step);
  // An amendment kept this result (its inputs did not change): it stands, with its evidence and holds.
  if (s.keptFromRevision != null) {
    r.touch({
      type: 'order.check_completed',
      step,
      actor: 'system',
      data: { outcome: 'kept', findings: s.findings, keptFromRevision: s.keptFromRevision, ...(s.evidence ? { evidence: s.evidence } : {}) },
    });
    return;
  }
  if (step === 'special_requirements' && r.order.specialRequirements.length === 0) {
    s.status = 'skipped';
    r.touch({ type: 'order.check_completed', step, actor: 'system', data: { outcome: 'skipped', findings: [] } });
    return;
  }
  s.status = 'running';
  s.findings = [];
  s.evidence = null;
  const { findings, evidence, held } = await runCheck(r, step);
  s.evidence = evidence;
  const withEvidence = evidence ? { evidence } : {};
  if (findings.length === 0) {
    s.status = 'auto_approved';
    r.touch(
      { type: 'order.check_completed', step, actor: 'system', data: { outcome: 'auto_approved', findings: [], ...withEvidence } },
      ...(held ? [{ type: 'order.holds_reserved' as const, step, actor: 'system', data: { summary: held } }] : []),
    );
    return;
  }
  s.findings = findings;
  r.touch({ type: 'order.check_completed', step, actor: 'system', data: { outcome: 'findings', findings, ...withEvidence } });
  if (ctl.stopped) {
    s.status = 'cancelled';
    return;
  }
  const waited = await awaitDecision(r, step, ctl);
  // A recheck passed while the step waited (workflows/recheck.ts): it is auto_approved, and any hold is made.
  if (waited === 'rechecked') return;
  if (waited === 'stopped') {
    s.status = 'cancelled';
    r.touch();
    return;
  }
  if (waited === 'timed_out') {
    const onTimeout = r.policy.steps[step].onTimeout;
    s.status = 'timed_out';
    r.touch({ type: 'order.step_timed_out', step, actor: 'system', data: { onTimeout } });
    ctl.finish({
      kind: onTimeout === 'reject' ? 'rejected' : 'expired',
      step,
      reason: `no decision on ${step} before ${s.dueAt}`,
    });
    return;
  }
  const decision = s.decision;
  if (!decision) return;
  if (decision.decision === 'reject') {
    ctl.finish({ kind: 'rejected', step, reason: decision.comment ?? 'rejected' });
  } else if (decision.decision === 'request_changes') {
    ctl.finish({ kind: 'changes_requested', step, reason: decision.comment ?? 'changes requested' });
  } else if (step === 'capacity' || step === 'materials') {
    // Approved despite the finding: the department accepts overbooking or a pre-purchase, so hold anyway.
    const res =
      step === 'capacity'
        ? await acts.bookCapacity({ order: r.order, revision: r.revision, force: true, calendar: r.policy.calendar })
        : await acts.reserveMaterials({ order: r.order, revision: r.revision, force: true });
    if (res.held) r.touch({ type: 'order.holds_reserved', step, actor: 'system', data: { summary: res.summary } });
  }
}

/**
 * Waits for a department's decision. Reminder, escalation and timeout are measured from the moment the
 * step started waiting, so a worker restart in between changes nothing (the timers live in Temporal).
 */
async function awaitDecision(
  r: Review,
  step: ReviewStepId,
  ctl: StageControl,
): Promise<'decided' | 'rechecked' | 'timed_out' | 'stopped'> {
  const s = r.step(step);
  const t = r.policy.steps[step];
  const start = Date.now();
  const { reminderAt, escalateAt, timeoutAt } = stepDeadlines(start, t, r.policy.calendar);
  s.status = 'awaiting_decision';
  s.waitingSince = nowIso();
  s.dueAt = new Date(timeoutAt).toISOString();
  s.escalated = false;
  s.decision = null;
  r.touch({
    type: 'order.step_awaiting',
    step,
    actor: 'system',
    data: { department: s.department, dueAt: s.dueAt, findings: s.findings.map((f) => f.code) },
  });
  // Replay-aware (printed once, not on every replay); a log line is no command, so no patch is needed.
  log.info('step awaiting a decision', {
    orderId: r.orderId,
    principal: r.submittedBy,
    step,
    department: s.department,
    dueAt: s.dueAt,
    findings: s.findings.map((f) => f.code),
  });
  // The step also stops waiting once it left awaiting_decision without a decision: a recheck that passed. No patch:
  // before recheckUpdate existed, the status left awaiting_decision only together with a decision, so for every
  // earlier history this condition is true exactly when the old one (decision || stopped) was.
  const done = () => s.decision !== null || ctl.stopped || s.status !== 'awaiting_decision';
  const rechecked = () => s.status === 'auto_approved';
  const until = async (deadline: number) => {
    const remaining = deadline - Date.now();
    return remaining > 0 ? condition(done, remaining) : done();
  };
  if (!(await until(reminderAt))) {
    r.touch({ type: 'order.step_reminded', step, actor: 'system', data: { department: s.department, dueAt: s.dueAt } });
  }
  if (!done() && !(await until(escalateAt))) {
    s.escalated = true;
    r.touch({ type: 'order.step_escalated', step, actor: 'system', data: { department: s.department, to: 'management', dueAt: s.dueAt } });
  }
  if (!done() && !(await until(timeoutAt))) return 'timed_out';
  if (s.decision) return 'decided';
  return rechecked() ? 'rechecked' : 'stopped';
}

export { acts };
