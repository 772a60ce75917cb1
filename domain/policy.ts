/**
 * The review policy (contract sections 6 and 12): its JSON schema, the built-in default, and resolution to
 * milliseconds and minor units. Only the API/worker start-up imports this file's values; the workflow receives a
 * ResolvedPolicy.
 */
import { z } from 'zod';
import { businessMs, clockMinutes, isValidTimeZone } from './calendar';
import { isIsoDate } from './dates';
import { parseBusinessDuration, parseDuration } from './duration';
import { MONEY_PATTERN, parseMoney } from './money';
import {
  type BusinessCalendar,
  REVIEW_STEP_IDS,
  type ResolvedPolicy,
  type ReviewStepId,
  type StepTimers,
} from './types';

const money = z.string().regex(MONEY_PATTERN, 'must be an amount such as "50000.00" (at most 2 fraction digits)');

/** Wall-clock ("4h") or business ("8bh", only with a calendar), or null when the string is neither. */
function durationKind(s: string): 'wall' | 'business' | null {
  for (const [kind, parse] of [['wall', parseDuration], ['business', parseBusinessDuration]] as const) {
    try {
      parse(s);
      return kind;
    } catch {
      // try the other kind
    }
  }
  return null;
}
const duration = z
  .string()
  .refine(
    (s) => durationKind(s) !== null,
    'must be a duration such as "90s", "15m", "4h" or "3d" (or, with a calendar, business hours "8bh" or days "2bd")',
  );
function durationMs(s: string): number | null {
  try {
    return parseDuration(s);
  } catch {
    return null;
  }
}

const clockTime = z.string().refine((s) => clockMinutes(s) !== null, 'must be a time of day "HH:MM" between 00:00 and 23:59');

/** When the company works; see domain/calendar.ts for what business hours and days mean. */
const calendarSchema = z
  .object({
    timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as "Asia/Shanghai" or "Europe/Berlin"'),
    workingDays: z
      .array(z.number().int().min(1, 'must be an ISO weekday 1 (Monday) … 7 (Sunday)').max(7, 'must be an ISO weekday 1 (Monday) … 7 (Sunday)'))
      .min(1, 'at least one working day is needed')
      .refine((days) => new Set(days).size === days.length, 'each weekday may appear only once'),
    workingHours: z
      .tuple([clockTime, clockTime])
      .refine(([open, close]) => {
        const [o, c] = [clockMinutes(open), clockMinutes(close)];
        return o === null || c === null || o < c; // a malformed time is reported on its own
      }, 'the opening time must be before the closing time'),
    holidays: z
      .array(z.string().refine(isIsoDate, 'must be a real calendar date YYYY-MM-DD'))
      .refine((days) => new Set(days).size === days.length, 'each holiday may appear only once')
      .default([]),
  })
  .strict();

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
    calendar: calendarSchema.optional(),
    reReview: z.enum(['changed', 'all']).optional().describe('default "changed"'),
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

    if (durationKind(policy.changesRequestedTimeout) === 'business') {
      ctx.addIssue({
        code: 'custom',
        path: ['changesRequestedTimeout'],
        message: 'must be wall-clock (ms, s, m, h, d): it waits for the customer to amend, not for a department',
      });
    }

    for (const step of REVIEW_STEP_IDS) {
      const timers = policy.steps[step];
      const fields = ['reminderAfter', 'escalateAfter', 'timeoutAfter'] as const;
      const kinds = fields.map((f) => durationKind(timers[f]));
      if (kinds.includes(null)) continue; // reported by the field's own schema
      if (kinds.includes('business') && !policy.calendar) {
        fields.forEach((f, i) => {
          if (kinds[i] !== 'business') return;
          ctx.addIssue({
            code: 'custom',
            path: ['steps', step, f],
            message: `${timers[f]} is a business duration: it needs a "calendar" in the policy (or use ms, s, m, h, d)`,
          });
        });
        continue;
      }
      if (kinds.includes('business') && kinds.includes('wall')) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', step],
          message:
            `mixes wall-clock and business durations (${fields.map((f) => `${f} ${timers[f]}`).join(', ')}): ` +
            'use business units (bh, bd) for all three or for none',
        });
        continue;
      }
      // Business durations compare by their working time (a business day = the working day's length).
      const ms = (s: string): number | null => {
        try {
          return policy.calendar && durationKind(s) === 'business' ? businessMs(parseBusinessDuration(s), policy.calendar) : durationMs(s);
        } catch {
          return null;
        }
      };
      const reminder = ms(timers.reminderAfter);
      const escalate = ms(timers.escalateAfter);
      const timeout = ms(timers.timeoutAfter);
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
  const calendar: BusinessCalendar | undefined = raw.calendar && {
    timeZone: raw.calendar.timeZone,
    workingDays: [...raw.calendar.workingDays].sort((a, b) => a - b),
    workingHours: [raw.calendar.workingHours[0], raw.calendar.workingHours[1]],
    holidays: [...raw.calendar.holidays].sort(),
  };
  const steps = {} as Record<ReviewStepId, StepTimers>;
  for (const step of REVIEW_STEP_IDS) {
    const t = raw.steps[step];
    steps[step] = calendar && durationKind(t.reminderAfter) === 'business' ? businessTimers(t, calendar) : {
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
    ...(calendar ? { calendar } : {}),
    reReview: raw.reReview ?? 'changed',
  };
}

/**
 * A step on business durations (validation guarantees all three are). The *Ms fields get the nominal working
 * time, the least wall-clock time the real deadline can be away, so code that reads only them is early, never late.
 */
function businessTimers(t: RawPolicy['steps'][ReviewStepId], calendar: BusinessCalendar): StepTimers {
  const business = {
    reminderAfter: parseBusinessDuration(t.reminderAfter),
    escalateAfter: parseBusinessDuration(t.escalateAfter),
    timeoutAfter: parseBusinessDuration(t.timeoutAfter),
  };
  return {
    reminderAfterMs: businessMs(business.reminderAfter, calendar),
    escalateAfterMs: businessMs(business.escalateAfter, calendar),
    timeoutAfterMs: businessMs(business.timeoutAfter, calendar),
    onTimeout: t.onTimeout,
    business,
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
