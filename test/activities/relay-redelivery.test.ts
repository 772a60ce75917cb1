/**
 * A worker killed while its relay delivers loses the relay's record of the deliveries made since its last workflow
 * task (local activities), so the restarted relay hands the same events to relayDeliver again. The delivery log
 * already says they got through: they are not sent again (the chaos suite counted 17–65 such repeats per worker
 * kill). A manual redelivery is asked for, and still goes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayActivities } from '../../activities/relay';
import { closeDatabase, type Db } from '../../db/client';
import { appendEvents, orderStream } from '../../db/events';
import { orderEvents, webhookDeliveries, webhooks } from '../../db/schema';
import { createTestDb } from '../helpers/fixtures';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

describe('relayDeliver after a crash', () => {
  let db: Db;
  let receiver: Receiver;
  const secret = `whsec_${Buffer.from('a secret of twenty-four b').toString('base64')}`;

  beforeAll(async () => {
    db = createTestDb();
    receiver = await startReceiver();
    receiver.setSecret(secret);
    db.insert(webhooks)
      .values({ id: 'wh_1', ownerId: 'admin', ownOrdersOnly: false, url: receiver.url, types: [], description: null, secretSealed: secret, createdAt: new Date().toISOString() })
      .run();
    const at = new Date().toISOString();
    appendEvents(db, { stream: orderStream('O-1'), orderId: 'O-1', submittedBy: 'shop' }, [
      { id: 'ev-1', type: 'order.submitted', at, revision: 1, step: null, actor: 'shop', data: {} },
      { id: 'ev-2', type: 'order.approved', at, revision: 1, step: null, actor: 'system', data: {} },
    ]);
  });
  afterAll(async () => {
    await receiver.close();
    closeDatabase(db);
  });

  const activities = () =>
    createRelayActivities({
      db,
      secrets: { seal: (s) => s, open: (s) => s },
      mailer: { sends: false, send: async () => undefined, close: () => undefined },
      allowPrivate: true,
      publicUrl: 'http://127.0.0.1',
    });
  const relay = { kind: 'webhook' as const, webhookId: 'wh_1' };
  const items = () => db.select({ pos: orderEvents.pos, eventId: orderEvents.id }).from(orderEvents).all();

  it('a chain handed over again after a crash sends only what the delivery log does not show as delivered', async () => {
    const [first, second] = items();
    // The relay delivered the first event, then the worker died before the workflow recorded it.
    const a = await activities().relayDeliver({ relay, chains: [{ key: 'order:O-1', items: [first!] }], checkpoint: 0 });
    expect(a.outcomes).toEqual([{ eventId: 'ev-1', ok: true }]);
    // The restarted relay hands over both again.
    const b = await activities().relayDeliver({ relay, chains: [{ key: 'order:O-1', items: [first!, second!] }], checkpoint: 0 });
    expect(b.outcomes).toEqual([
      { eventId: 'ev-1', ok: true },
      { eventId: 'ev-2', ok: true },
    ]);
    expect(receiver.requests.map((r) => [r.webhookId, r.verified])).toEqual([
      ['ev-1', true],
      ['ev-2', true],
    ]);
    expect(db.select({ eventId: webhookDeliveries.eventId, attempt: webhookDeliveries.attempt }).from(webhookDeliveries).all()).toEqual([
      { eventId: 'ev-1', attempt: 1 },
      { eventId: 'ev-2', attempt: 1 },
    ]);
  });

  it('a manual redelivery of a delivered event goes again', async () => {
    const [first] = items();
    const before = receiver.requests.length;
    const r = await activities().relayDeliver({ relay, chains: [{ key: 'manual:ev-1', items: [first!] }], checkpoint: 0 });
    expect(r.outcomes).toEqual([{ eventId: 'ev-1', ok: true }]);
    expect(receiver.requests.slice(before).map((x) => x.webhookId)).toEqual(['ev-1']);
  });

  it('an event whose earlier attempt failed is sent again', async () => {
    receiver.behave({ status: 500 });
    const at = new Date().toISOString();
    appendEvents(db, { stream: orderStream('O-2'), orderId: 'O-2', submittedBy: 'shop' }, [
      { id: 'ev-3', type: 'order.submitted', at, revision: 1, step: null, actor: 'shop', data: {} },
    ]);
    const third = items().find((i) => i.eventId === 'ev-3')!;
    expect((await activities().relayDeliver({ relay, chains: [{ key: 'order:O-2', items: [third] }], checkpoint: 0 })).outcomes).toEqual([{ eventId: 'ev-3', ok: false }]);
    receiver.behave({ status: 200 });
    expect((await activities().relayDeliver({ relay, chains: [{ key: 'order:O-2', items: [third] }], checkpoint: 0 })).outcomes).toEqual([{ eventId: 'ev-3', ok: true }]);
    expect(receiver.requests.filter((r) => r.webhookId === 'ev-3').map((r) => r.answered)).toEqual([500, 200]);
  });
});
