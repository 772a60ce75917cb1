/**
 * The business calendar in the review: "today" is the calendar's day (activities on a temp db with a fixed clock),
 * and on the dev server a waiting step's due time comes from business hours while the wall-clock path still fires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { Db } from '../../db/client';
import { BUILT_IN_POLICY, parsePolicy } from '../../domain/policy';
import { stepDeadlines } from '../../domain/step-deadlines';
import type { BusinessCalendar } from '../../domain/types';
import { createTestDb, normalised } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import { awaitingOf, startOrder, until } from './helpers';

const calendar: BusinessCalendar = { timeZone: 'Asia/Shanghai', workingDays: [1, 2, 3, 4, 5, 6, 7], workingHours: ['00:00', '23:59'], holidays: [] };

describe("the calendar's today (activities, fixed clock)", () => {
  // 23:30 UTC on Friday 4 December is 07:30 on Saturday 5 December in Shanghai.
  const now = () => new Date('2026-12-04T23:30:00Z');
  const order = normalised({ customerId: 'C-OK', requestedDeliveryDate: '2026-12-04' });

  it('a Shanghai order placed before 08:00 is checked against the Shanghai day, not the UTC one', async () => {
    const acts = createActivities(createTestDb(), { now });
    expect(await acts.checkOrderInfo({ order })).toMatchObject({ findings: [], evidence: { today: '2026-12-04' } });
    const checked = await acts.checkOrderInfo({ order, calendar });
    expect(checked.findings).toEqual([expect.objectContaining({ code: 'DELIVERY_DATE_IN_PAST', message: expect.stringContaining('today (2026-12-05)') })]);
    expect(checked.evidence.today).toBe('2026-12-05');
  });

  it('capacity counts from the calendar day and only on its working days', async () => {
    const weekdays = { ...calendar, workingDays: [1, 2, 3, 4, 5] };
    const acts = createActivities(createTestDb(), { now });
    // SLOW takes 10 h a unit; 16 h a day. Delivery Tuesday 8th: from Saturday 5th the working days are Monday only.
    const slow = normalised({ customerId: 'C-OK', requestedDeliveryDate: '2026-12-08', lines: [{ sku: 'SLOW', quantity: 2, unitPrice: '10.00' }], declaredTotal: '20.00' });
    const res = await acts.bookCapacity({ order: slow, revision: 1, force: false, calendar: weekdays });
    expect(res.findings).toEqual([expect.objectContaining({ code: 'CAPACITY_INSUFFICIENT', message: expect.stringContaining('only 16.00 are free') })]);
    // Without the calendar, Friday (UTC) to Monday is four days of 16 h: it fits.
    const plain = await createActivities(createTestDb(), { now }).bookCapacity({ order: slow, revision: 1, force: false });
    expect(plain).toMatchObject({ findings: [], held: true });
  });
});

describe('business-hour deadlines (dev server)', () => {
  let tc: TestClient;
  let db: Db;
  let worker: TestWorker;
  const taskQueue = uniqueTaskQueue('calendar');

  beforeAll(async () => {
    tc = await connectTestClient();
    db = createTestDb();
    worker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: tc.connection });
  });
  afterAll(async () => {
    await worker?.stop();
    await tc?.connection.close();
  });

  it('a waiting step is due when its business hours are up; a wall-clock step of the same policy still reminds on time', async () => {
    // Office hours 09:00–18:00 on weekdays: credit's "3bh" runs only inside them; sales' wall-clock 2 s timers as before.
    const policy = parsePolicy({
      ...BUILT_IN_POLICY,
      calendar: { ...calendar, workingDays: [1, 2, 3, 4, 5], workingHours: ['09:00', '18:00'] },
      steps: {
        ...BUILT_IN_POLICY.steps,
        info_check: { reminderAfter: '2s', escalateAfter: '1h', timeoutAfter: '2h', onTimeout: 'reject' },
        credit: { reminderAfter: '1bh', escalateAfter: '2bh', timeoutAfter: '3bh', onTimeout: 'reject' },
      },
    });
    const credit = await startOrder(tc.client, taskQueue, normalised({ customerId: 'C-SMALL' }), { policy });
    const waiting = await until(credit, awaitingOf('credit'));
    const step = waiting.steps.find((s) => s.step === 'credit')!;
    const { timeoutAt } = stepDeadlines(Date.parse(step.waitingSince!), policy.steps.credit, policy.calendar);
    expect(step.dueAt).toBe(new Date(timeoutAt).toISOString());
    // Three business hours are at least three wall-clock hours away, and more when office hours end in between.
    expect(Date.parse(step.dueAt!) - Date.parse(step.waitingSince!)).toBeGreaterThanOrEqual(3 * 3_600_000);

    const priced = await startOrder(tc.client, taskQueue, normalised({ lines: [{ sku: 'BOX', quantity: 100, unitPrice: '11.00' }], declaredTotal: '1100.00' }), { policy });
    await until(priced, awaitingOf('info_check'));
    // Its 2 s reminder timer fires on the calendar policy's wall-clock path.
    await expect
      .poll(async () => (await priced.fetchHistory()).events?.filter((e) => e.timerFiredEventAttributes).length ?? 0, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(1);
    await credit.terminate('test over');
    await priced.terminate('test over');
  });
});
