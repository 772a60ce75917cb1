/**
 * Notifications to people: a real SMTP peer in-process (smtp-server) captures what nodemailer sends when a step
 * starts waiting, is reminded and is escalated (second-scale policy), one mail per person and event, with a link
 * into the console; without SMTP_URL they are logged and recorded instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_POLICY } from '../../domain/policy';
import { cleanOrder, createTestApp, type TestApp } from '../helpers/app';
import { FAST_RELAYS, startReviewWorker } from '../helpers/review-worker';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';

interface Mail {
  to: string[];
  raw: string;
}

async function startSmtp(): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((r) => server.close(() => r())) };
}

/** The built-in policy with credit reminding after 2 s and escalating after 4 s. */
function policyFile(): string {
  const steps = Object.fromEntries(
    Object.keys(BUILT_IN_POLICY.steps).map((k) => [k, { reminderAfter: '2s', escalateAfter: '4s', timeoutAfter: '1h', onTimeout: 'reject' }]),
  );
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-policy-')), 'policy.json');
  fs.writeFileSync(file, JSON.stringify({ ...BUILT_IN_POLICY, steps }));
  return file;
}

async function withPeople(ctx: TestApp): Promise<void> {
  for (const p of [
    { id: 'fiona', name: 'Fiona', roles: ['approver:finance'], email: 'fiona@example.com' },
    { id: 'felix', name: 'Felix', roles: ['approver:finance'], email: 'felix@example.com' },
    { id: 'frank', name: 'Frank (no address)', roles: ['approver:finance'] },
    { id: 'mia', name: 'Mia', roles: ['approver:management'], email: 'mia@example.com' },
    { id: 'sam', name: 'Sam', roles: ['approver:sales'], email: 'sam@example.com' },
  ]) {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: ctx.auth('admin'), payload: p });
    expect(res.statusCode, res.body).toBe(201);
  }
}

describe('notifications by e-mail', () => {
  let t: TestClient;
  let ctx: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let worker: { stop(): Promise<void> };

  beforeAll(async () => {
    t = await connectTestClient();
    smtp = await startSmtp();
    ctx = await createTestApp({
      temporal: t.client,
      taskQueue: uniqueTaskQueue('notify'),
      relays: { options: FAST_RELAYS },
      env: { SMTP_URL: smtp.url, REVIEW_POLICY_FILE: policyFile(), PUBLIC_URL: 'https://orders.example.com' },
    });
    await withPeople(ctx);
    worker = await startReviewWorker(ctx, t);
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await smtp?.close();
    await t?.connection.close();
  });

  it('awaiting and reminder reach every finance approver with an address, escalation reaches management', async () => {
    const body = cleanOrder({ customerId: 'C-SMALL' });
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: ctx.auth('shop'), payload: body })).statusCode).toBe(201);
    const id = body.orderId as string;
    const about = () => smtp.mails.filter((m) => m.raw.includes(id));
    await expect
      .poll(() => about().length, { timeout: 30_000, interval: 200 })
      .toBe(5)
      .catch(async (err: unknown) => {
        // What the log and the notifications table say, to tell a slow relay from a lost event.
        const events = (await ctx.app.inject({ url: `/v1/events?orderId=${id}`, headers: ctx.auth('admin') })).json().items.map((e: { type: string; at: string }) => `${e.at} ${e.type}`);
        const rows = (await ctx.app.inject({ url: `/v1/notifications?orderId=${id}`, headers: ctx.auth('admin') })).json().items;
        console.error('events', events, 'notifications', rows, 'mails', about().map((m) => m.to));
        throw err;
      });

    // Header lines may be folded (RFC 5322): unfold before reading the subject.
    const subjects = (to: string) =>
      about()
        .filter((m) => m.to.includes(to))
        .map((m) => /^Subject: (.*)$/m.exec(m.raw.replace(/\r?\n[ \t]+/g, ' '))?.[1]);
    expect(subjects('fiona@example.com')).toEqual([`Order ${id}: credit awaits your decision`, `Order ${id}: credit still awaits your decision (reminder)`]);
    expect(subjects('felix@example.com')).toEqual(subjects('fiona@example.com'));
    expect(subjects('mia@example.com')).toEqual([`Order ${id}: credit was escalated to management`]);
    expect(subjects('sam@example.com')).toEqual([]);
    // The body is quoted-printable: undo soft line breaks and =XX escapes.
    const first = about()[0]!.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(first).toContain(`https://orders.example.com/console#/orders/${id}?step=credit`);
    expect(first).toContain('exceeds the credit limit');

    const listed = await ctx.app.inject({ url: `/v1/notifications?orderId=${id}`, headers: ctx.auth('auditor') });
    expect(listed.statusCode).toBe(200);
    const rows = listed.json().items as { recipient: string; kind: string; status: string }[];
    expect(rows.map((r) => `${r.kind} ${r.recipient} ${r.status}`).sort()).toEqual([
      'step_awaiting felix sent',
      'step_awaiting fiona sent',
      'step_escalated mia sent',
      'step_reminded felix sent',
      'step_reminded fiona sent',
    ]);
    expect((await ctx.app.inject({ url: '/v1/notifications', headers: ctx.auth('finance') })).statusCode).toBe(403);
  });
});

describe('notifications without SMTP_URL', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: { stop(): Promise<void> };

  beforeAll(async () => {
    t = await connectTestClient();
    ctx = await createTestApp({ temporal: t.client, taskQueue: uniqueTaskQueue('notify-log'), relays: { options: FAST_RELAYS } });
    await withPeople(ctx);
    worker = await startReviewWorker(ctx, t);
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  it('are logged and recorded, never lost', async () => {
    const body = cleanOrder({ customerId: 'C-SMALL' });
    await ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: ctx.auth('shop'), payload: body });
    const id = body.orderId as string;
    await expect
      .poll(async () => (await ctx.app.inject({ url: `/v1/notifications?orderId=${id}`, headers: ctx.auth('admin') })).json().items.length, { timeout: 20_000 })
      .toBe(2);
    const rows = (await ctx.app.inject({ url: `/v1/notifications?orderId=${id}`, headers: ctx.auth('admin') })).json().items;
    expect(rows.map((r: { status: string; email: string }) => `${r.status} ${r.email}`).sort()).toEqual(['logged felix@example.com', 'logged fiona@example.com']);
  });
});
