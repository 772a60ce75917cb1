/**
 * Orders reviewed before the event log existed: their events are logged once, from the recordState markers of their
 * archived v1.0 history, and the audit reads them like any others; relays never carry them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { orderAuditTimeline } from '../../api/services/audit';
import { backfillLegacyEvents, legacyEventsOf } from '../../api/services/legacy-events';
import { eq } from 'drizzle-orm';
import { orderEventsOf } from '../../db/events';
import { decodeFacts, kpiEventsOf } from '../../db/kpi-facts';
import { orderHistories, orderIntake, orderKpiFacts, orders } from '../../db/schema';
import { ORDER_FACTS_VERSION, orderFacts } from '../../domain/kpis';
import { createTestDb } from '../helpers/fixtures';
import type { HistoryJson } from '../../api/services/history';

const V1 = path.join(__dirname, '../replay/histories/v1.0');
const historyOf = (name: string) => JSON.parse(fs.readFileSync(path.join(V1, `${name}.json`), 'utf8')) as HistoryJson;

describe('events of orders reviewed before the log existed', () => {
  it('decodes v1.0 audit events into the log vocabulary, a cancellation as one outcome', () => {
    const cancelled = legacyEventsOf('PO-REPLAY-cancel', historyOf('cancel')).map((e) => e.type);
    expect(cancelled[0]).toBe('order.submitted');
    expect(cancelled.at(-1)).toBe('order.cancelled');
    expect(cancelled).toContain('order.step_awaiting');
    expect(cancelled.filter((t) => t === 'order.cancelled')).toHaveLength(1);
  });

  it('logs them once from the archive; the audit shows the whole review; relays skip them', async () => {
    const db = createTestDb();
    const orderId = 'PO-REPLAY-credit-finding-approved-final-approved';
    const history = historyOf('credit-finding-approved-final-approved');
    db.insert(orderIntake)
      .values({ orderId, workflowId: `order-${orderId}`, bodyHash: 'x', submittedBy: 'shop', customerId: 'C-SMALL', totalMinor: 125_000, submittedAt: new Date().toISOString(), workflowInput: {}, workflowStarted: true })
      .run();
    db.insert(orderHistories).values({ orderId, workflowId: `order-${orderId}`, runId: 'r', history: JSON.stringify(history) }).run();
    // No Temporal needed: the archive has the history.
    const deps = { db, temporal: undefined as never };
    expect((await backfillLegacyEvents(deps)).backfilled).toEqual([orderId]);
    expect((await backfillLegacyEvents(deps)).backfilled).toEqual([]);

    const logged = orderEventsOf(db, orderId);
    expect(logged.every((e) => e.id.startsWith(`legacy:${orderId}:`))).toBe(true);
    expect(logged.map((e) => e.seq)).toEqual(logged.map((_, i) => i + 1));
    const audit = orderAuditTimeline(db, orderId)!;
    expect(audit.events[0]).toMatchObject({ type: 'submitted', actor: 'shop' });
    expect(audit.events).toContainEqual(expect.objectContaining({ type: 'decision', step: 'credit', actor: 'fin-1' }));
    expect(audit.events.at(-1)).toMatchObject({ type: 'outcome', detail: { status: 'approved' } });

    // The mail relay would carry step_awaiting events: not these.
    const fetched = await createActivities(db, { relay: { secrets: { seal: (s) => s, open: (s) => s }, mailer: { sends: false, send: async () => undefined, close: () => undefined }, allowPrivate: true, publicUrl: 'http://x' } })
      .relayFetch({ relay: { kind: 'mail', scope: 'legacy' }, afterPos: 0, limit: 100 });
    expect(fetched.items).toEqual([]);
  });
  it('writes the KPI facts row of an order of the read model with its events', async () => {
    const db = createTestDb();
    const orderId = 'PO-REPLAY-cancel';
    const at = new Date().toISOString();
    db.insert(orders)
      .values({ orderId, submittedBy: 'shop', customerId: 'C-SMALL', channel: 'web', status: 'cancelled', revision: 1, priority: 'normal', totalMinor: 125_000, submittedAt: at, updatedAt: at, completedAt: at, state: {} })
      .run();
    db.insert(orderHistories).values({ orderId, workflowId: `order-${orderId}`, runId: 'r', history: JSON.stringify(historyOf('cancel')) }).run();
    expect((await backfillLegacyEvents({ db, temporal: undefined as never })).backfilled).toEqual([orderId]);
    const row = db.select().from(orderKpiFacts).where(eq(orderKpiFacts.orderId, orderId)).get();
    expect(row?.factsVersion).toBe(ORDER_FACTS_VERSION);
    expect(decodeFacts(row!.facts!)).toEqual(orderFacts(kpiEventsOf(db, orderId)));
    expect(decodeFacts(row!.facts!)).toMatchObject({ orderId, outcome: 'cancelled' });
  });
});
