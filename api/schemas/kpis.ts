/** The KPI report (contract section 11): query and answer. */
import { z } from 'zod';
import { KPI_GROUPINGS } from '../../domain/kpis';
import { DEPARTMENTS, REVIEW_STEP_IDS, type ReviewStepId } from '../../domain/types';
import { isoTimestamp, outputFormat, periodBound } from './common';

export const kpiQuery = z.object({
  from: periodBound.optional().describe('start of the period (inclusive); a date is its first instant in the policy calendar zone (UTC without one); default: 30 days before `to`'),
  to: periodBound.optional().describe('end of the period (exclusive); a date includes that whole day; default: now'),
  groupBy: z.enum(KPI_GROUPINGS).optional().describe('one group per department, channel, customer tier or day of submission'),
  format: outputFormat,
});

const quantiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable() });

export const departmentFigures = z.object({
  department: z.enum(DEPARTMENTS),
  stepsReviewed: z.number().int().describe("automatic checks run on the department's steps (skipped and kept results not counted)"),
  autoPassed: z.number().int(),
  autoPassRate: z.number().nullable().describe('autoPassed / stepsReviewed'),
  answered: z.number().int().describe('waits the department answered (a decision, or a recheck that passed): the queue-time sample'),
  queueTimeSeconds: quantiles.describe('a step starting to wait → the department answering it'),
  queueTimeTotalSeconds: z.number().describe('the sum of the answered waits: what this hand-off cost in the period (since v1.1)'),
  pickedUp: z.number().int().describe('waits a person of the department picked up: the pickup-time sample (since v1.1)'),
  pickupTimeSeconds: quantiles.describe(
    'the hand-off: a step starting to wait → a person of the department taking it up (claiming it themselves, or answering it); a hand-over by management is no pickup (since v1.1)',
  ),
  reminders: z.number().int(),
  escalations: z.number().int(),
  timeouts: z.number().int(),
  changesRequested: z.number().int(),
});

const figures = {
  orders: z.number().int().describe('orders submitted in the period'),
  outcomes: z.object({
    approved: z.number().int(),
    rejected: z.number().int(),
    cancelled: z.number().int(),
    expired: z.number().int(),
    open: z.number().int(),
  }),
  finished: z.number().int().describe('orders with an outcome'),
  touchless: z.number().int().describe('approved with no step waiting for a person'),
  touchlessRate: z.number().nullable().describe('touchless / finished'),
  firstPass: z.number().int().describe('approved with no amendment'),
  firstPassRate: z.number().nullable().describe('firstPass / finished'),
  cycleTimeSeconds: quantiles.describe('submitted → outcome, over finished orders (nearest-rank percentiles)'),
  departments: z.array(departmentFigures),
};

export const kpiFigures = z.object(figures).meta({ id: 'KpiFigures' });

export const kpiReport = z
  .object({
    from: isoTimestamp,
    to: isoTimestamp,
    groupBy: z.enum(KPI_GROUPINGS).nullable(),
    timeZone: z.string().describe('the zone days are counted in'),
    totals: kpiFigures,
    stages: z
      .array(z.array(z.enum(REVIEW_STEP_IDS as [ReviewStepId, ...ReviewStepId[]])))
      .describe('the review plan of the policy in effect (after intake; the steps of one stage run side by side), to draw the order cycle with (since v1.1)'),
    groups: z.array(z.object({ key: z.string(), ...figures })).describe('with groupBy: one per key; by department an order counts in each department that reviewed it'),
  })
  .meta({ id: 'KpiReport' });
