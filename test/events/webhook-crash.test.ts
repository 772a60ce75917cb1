/**
 * Webhook delivery survives crashes: the production entry points (worker.ts and server.ts) run as child processes
 * on one DATA_DIR; both are SIGKILLed while a delivery is in flight and events wait undelivered; after a restart
 * every event of the order reaches the receiver (at least once, in seq order), none lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../db/client';
import { createPrincipal, ensureAdmin } from '../../db/principals';
import { cleanOrder, seedMasterData } from '../helpers/app';
import { uniqueTaskQueue } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const taskQueue = uniqueTaskQueue('webhook-crash');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-crash-'));
const tokens = { admin: `tok-admin-${randomUUID()}`, shop: `tok-shop-${randomUUID()}` };
const children: ChildProcess[] = [];

/** Starts an entry point as its own process; resolves with its output once `ready` matches it. */
function startProcess(file: string, ready: RegExp, env: Record<string, string> = {}): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file)], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      TASK_QUEUE: taskQueue,
      DATA_DIR: dataDir,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(ready);
      if (match) resolve({ child, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready:\n${output}`)));
  });
}

const startWorker = () => startProcess('worker.ts', /worker polling/);
async function startApi(): Promise<{ child: ChildProcess; url: string }> {
  const { child, match } = await startProcess('server.ts', /API listening on (http:\/\/\S+?) /, { PORT: '0' });
  return { child, url: match[1]! };
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A receiver that holds its first delivery without answering (the delivery is "in flight") until released. */
function holdingReceiver() {
  let secret = '';
  let holding = true;
  let firstArrived: () => void;
  const arrived = new Promise<void>((r) => (firstArrived = r));
  const got: { webhookId: string; seq: number; orderId: string; verified: boolean }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (holding) {
        firstArrived();
        return; // never answered: the worker is killed while it waits
      }
      let verified = true;
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const data = (JSON.parse(body) as { data: { seq: number; orderId: string } }).data;
      got.push({ webhookId: String(req.headers['webhook-id']), seq: data.seq, orderId: data.orderId, verified });
      res.writeHead(200).end();
    });
  });
  return {
    got,
    arrived,
    release: () => (holding = false),
    setSecret: (s: string) => (secret = s),
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`))),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const receiver = holdingReceiver();

beforeAll(async () => {
  const db = openDatabase(path.join(dataDir, 'app.db'));
  seedMasterData(db);
  ensureAdmin(db, tokens.admin);
  createPrincipal(db, { id: 'shop', name: 'shop', roles: ['integrator'], token: tokens.shop });
  closeDatabase(db);
});

afterAll(async () => {
  for (const c of children) await kill(c);
  await receiver.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('worker and API SIGKILLed between events and their delivery: every event arrives after the restart', async () => {
  const url = await receiver.listen();
  const [worker, api] = await Promise.all([startWorker(), startApi()]);
  const call = async (method: string, p: string, who: keyof typeof tokens, body?: unknown) => {
    const res = await fetch(`${api.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  const hook = await call('POST', '/v1/webhooks', 'admin', { url });
  expect(hook.status).toBe(201);
  receiver.setSecret(hook.json.secret);
  const order = cleanOrder();
  const orderId = order.orderId as string;
  expect((await call('POST', '/v1/orders', 'shop', order)).status).toBe(201);

  // The first delivery is in flight (held by the receiver) while the order's later events wait behind it.
  await receiver.arrived;
  await expect.poll(async () => (await call('GET', `/v1/orders/${orderId}`, 'admin')).json.status, { timeout: 20_000 }).toBe('approved');
  const feed = (await call('GET', `/v1/events?orderId=${orderId}&limit=500`, 'admin')).json.items as { id: string; seq: number }[];
  expect(feed.length).toBeGreaterThan(5);
  await Promise.all([kill(worker.child), kill(api.child)]);
  expect(receiver.got).toEqual([]);

  receiver.release();
  await Promise.all([startWorker(), startApi()]);
  // (The restarted API listens elsewhere; nothing more is asked of it: the relay resumes in the new worker.)
  await expect
    .poll(() => new Set(receiver.got.filter((g) => g.orderId === orderId).map((g) => g.webhookId)).size, { timeout: 60_000, interval: 250 })
    .toBe(feed.length);
  const mine = receiver.got.filter((g) => g.orderId === orderId);
  expect(mine.every((g) => g.verified)).toBe(true);
  // At least once, in seq order: with repeats dropped, the deliveries are exactly the order's events in order.
  const firstSeen = mine.filter((g, i) => mine.findIndex((o) => o.webhookId === g.webhookId) === i);
  expect(firstSeen.map((g) => g.webhookId)).toEqual(feed.map((e) => e.id));
}, 120_000);
