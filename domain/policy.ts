/**
 * The review policy (contract section 6): its JSON schema, the built-in default, and resolution to milliseconds
 * and minor units. Only the API/worker start-up imports this file's values; the workflow receives a ResolvedPolicy.
 */
import { z } from 'zod';
import { parseDuration } from './duration';
import { MONEY_PATTERN, parseMoney } from './money';
import { REVIEW_STEP_IDS, type ResolvedPolicy, type ReviewStepId, type StepTimers } from './types';

const money = z.string().regex(MONEY_PATTERN, 'must be an amount such as "50000.00" (at most 2 fraction digits)');
const duration = z
  .string()
  .refine((s) => durationMs(s) !== null, 'must be a duration such as "90s", "15m", "4h" or "3d"');
function durationMs(s: string): number | null {
  try {
    return parseDuration(s);
  } catch {
    return null;
  }
}

const reviewStepId = z.enum(REVIEW_STEP_IDS as [ReviewStepId, ...ReviewStepId[]]);

const stepTimersSchema = z
  .object(
    {
      reminderAfter: duration,
      escalateAfter: duration,
      timeoutAfter: duration,
      onTimeout: z.enum(['reject', 'expire']),
    },
    { error: (issue) => (issue.input === undefined ? 'timers for this step are missing' : undefined) },
  )
  .strict();

const stepsShape = {
  info_check: stepTimersSchema,
  credit: stepTimersSchema,
  capacity: stepTimersSchema,
  materials: stepTimersSchema,
  special_requirements: stepTimersSchema,
  final_approval: stepTimersSchema,
} satisfies Record<ReviewStepId, typeof stepTimersSchema>;

/** The policy JSON as written by people: money and durations as strings, unknown keys rejected. */
export const rawPolicySchema = z
  .object({
    autoApprove: z
      .object({
        finalApprovalLimit: money,
        maxRiskScore: z.number().int().min(0).max(100),
      })
      .strict(),
    segregationOfDuties: z.boolean(),
    stages: z.array(z.array(reviewStepId).min(1, 'a stage must list at least one step')).min(1),
    maxRevisions: z.number().int().min(1).max(20),
    steps: z.object(stepsShape).strict(),
    changesRequestedTimeout: duration,
  })
  .strict()
  .superRefine((policy, ctx) => {
    const seenAt = new Map<ReviewStepId, number>();
    policy.stages.forEach((stage, i) => {
      stage.forEach((step, j) => {
        if (seenAt.has(step)) {
          ctx.addIssue({ code: 'custom', path: ['stages', i, j], message: `${step} appears more than once across the stages` });
        }
        seenAt.set(step, i);
      });
    });
    for (const step of REVIEW_STEP_IDS) {
      if (!seenAt.has(step)) {
        ctx.addIssue({ code: 'custom', path: ['stages'], message: `${step} is missing: every review step must appear in exactly one stage` });
      }
    }

    const lastIndex = policy.stages.length - 1;
    const last = policy.stages[lastIndex] ?? [];
    const finalAt = seenAt.get('final_approval');
    if (finalAt !== undefined && (finalAt !== lastIndex || last.length !== 1)) {
      ctx.addIssue({ code: 'custom', path: ['stages', lastIndex], message: 'final_approval must be alone in the last stage' });
    }

    for (const step of REVIEW_STEP_IDS) {
      const timers = policy.steps[step];
      const reminder = durationMs(timers.reminderAfter);
      const escalate = durationMs(timers.escalateAfter);
      const timeout = durationMs(timers.timeoutAfter);
      if (reminder === null || escalate === null || timeout === null) continue;
      if (reminder > escalate) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', step, 'reminderAfter'],
          message: `reminderAfter (${timers.reminderAfter}) must not be longer than escalateAfter (${timers.escalateAfter})`,
        });
      }
      if (escalate > timeout) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', step, 'escalateAfter'],
          message: `escalateAfter (${timers.escalateAfter}) must not be longer than timeoutAfter (${timers.timeoutAfter})`,
        });
      }
    }
  });

/** The policy JSON after schema validation, before resolution. */
export type RawPolicy = z.infer<typeof rawPolicySchema>;

/** The built-in review policy, exactly as contract section 6 shows it. */
export const BUILT_IN_POLICY: RawPolicy = {
  autoApprove: { finalApprovalLimit: '50000.00', maxRiskScore: 30 },
  segregationOfDuties: true,
  stages: [['info_check'], ['credit', 'capacity', 'materials', 'special_requirements'], ['final_approval']],
  maxRevisions: 3,
  steps: {
    info_check: { reminderAfter: '4h', escalateAfter: '8h', timeoutAfter: '24h', onTimeout: 'reject' },
    credit: { reminderAfter: '8h', escalateAfter: '24h', timeoutAfter: '48h', onTimeout: 'reject' },
    capacity: { reminderAfter: '8h', escalateAfter: '24h', timeoutAfter: '48h', onTimeout: 'reject' },
    materials: { reminderAfter: '8h', escalateAfter: '24h', timeoutAfter: '48h', onTimeout: 'reject' },
    special_requirements: { reminderAfter: '1d', escalateAfter: '2d', timeoutAfter: '5d', onTimeout: 'reject' },
    final_approval: { reminderAfter: '4h', escalateAfter: '1d', timeoutAfter: '2d', onTimeout: 'reject' },
  },
  changesRequestedTimeout: '7d',
};

/** A policy file that failed validation; `message` lists each problem as `path: message`, one per line. */
export class PolicyError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(['invalid review policy:', ...issues.map((i) => `${i.path}: ${i.message}`)].join('\n'));
    this.name = 'PolicyError';
  }
}

/** Converts a validated raw policy to milliseconds and minor units. */
export function resolvePolicy(raw: RawPolicy): ResolvedPolicy {
  const steps = {} as Record<ReviewStepId, StepTimers>;
  for (const step of REVIEW_STEP_IDS) {
    const t = raw.steps[step];
    steps[step] = {
      reminderAfterMs: parseDuration(t.reminderAfter),
      escalateAfterMs: parseDuration(t.escalateAfter),
      timeoutAfterMs: parseDuration(t.timeoutAfter),
      onTimeout: t.onTimeout,
    };
  }
  return {
    autoApprove: {
      finalApprovalLimitMinor: parseMoney(raw.autoApprove.finalApprovalLimit),
      maxRiskScore: raw.autoApprove.maxRiskScore,
    },
    segregationOfDuties: raw.segregationOfDuties,
    stages: raw.stages.map((stage) => [...stage]),
    maxRevisions: raw.maxRevisions,
    steps,
    changesRequestedTimeoutMs: parseDuration(raw.changesRequestedTimeout),
  };
}

/** Validates policy JSON (already parsed from text) and resolves it; throws PolicyError listing every problem. */
export function parsePolicy(json: unknown): ResolvedPolicy {
  const result = rawPolicySchema.safeParse(json);
  if (!result.success) {
    throw new PolicyError(
      result.error.issues.map((issue) => ({
        path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
        message: issue.message,
      })),
    );
  }
  return resolvePolicy(result.data);
}
