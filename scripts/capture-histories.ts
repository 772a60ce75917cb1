/**
 * Captures the replay gate's histories: runs one real order through every path of the workflow on a throwaway
 * Temporal dev server (real worker, temp SQLite db, second-scale timers) and writes each closed history to
 * test/replay/histories/<release>/<path>.json. test/replay/replay.test.ts replays them all against the current code.
 *
 *   npx tsx scripts/capture-histories.ts            # every path
 *   npx tsx scripts/capture-histories.ts cancel ... # only these paths
 *
 * Re-capture after a change that was made safe with patched() (new histories show the patch marker); keep the
 * old files too, as long as orders started before the change may still be running.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { eq } from 'drizzle-orm';
import { closeDatabase, type Db } from '../db/client';
import { customers } from '../db/schema';
import { amendUpdate, assignUpdate, cancelUpdate, claimUpdate, decideUpdate, recheckUpdate, workflowIdFor } from '../workflows/messages';
import { DEFAULT_RELAY_OPTIONS, relayWakeSignal, relayWorkflowId } from '../workflows/relay-messages';
import { OrderAwaitingDepartments, OrderCustomerId, OrderStatus } from '../workflows/search-attributes';
import { eventRelayWorkflow, orderReviewWorkflow } from '../workflows';
import { createMailer } from '../activities/mailer';
import { createSecretBox, type SecretBox } from '../db/secrets';
import { relayCheckpoints, webhookDeliveries, webhooks } from '../db/schema';
import { addDays } from '../domain/dates';
import { BUILT_IN_POLICY, type RawPolicy } from '../domain/policy';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createTestDb, normalised, testPolicy, today } from '../test/helpers/fixtures';
import {
  actor,
  awaitingOf,
  decide,
  finance,
  finance2,
  management,
  procurement,
  startOrder,
  until,
} from '../test/workflows/helpers';
import { resolveTemporalCli } from './temporal-cli';

/**
 * The release these histories belong to. Each release's folder stays as long as orders it started may still run:
 * bump this (and add the folder to test/replay/replay.test.ts) when a release changes the workflows.
 */
const RELEASE = 'v1.2';
const OUT_DIR = path.resolve(__dirname, '../test/replay/histories', RELEASE);

interface Ctx {
  client: Client;
  taskQueue: string;
  /** A fixed, readable order id per path: the server is fresh, so ids never collide. */
  orderId: (name: string) => string;
  /** The paths' master data (a path may change it, e.g. to raise a limit before a recheck). */
  db: Db;
  secrets: SecretBox;
}

const timed = (onTimeout: 'reject' | 'expire') => testPolicy({ reminder: '1s', escalate: '2s', timeout: '3s', onTimeout });
const rare = { customerId: 'C-SMALL', lines: [{ sku: 'RARE', quantity: 11, unitPrice: '20.00' }], declaredTotal: '220.00' };

/** Each path drives one order (or one relay) to its end and returns its handle. */
const PATHS: Record<string, (c: Ctx, name: string) => Promise<WorkflowHandle>> = {
  'clean-auto-approval': async (c, name) => startOrder(c.client, c.taskQueue, normalised({}, c.orderId(name))),

  'credit-finding-approved-final-approved': async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)));
    await until(h, awaitingOf('credit'));
    await decide(h, 'credit', 'approve', finance, 'known customer');
    await decide(h, 'final_approval', 'approve', management, 'ok');
    return h;
  },

  rejected: async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)));
    await until(h, awaitingOf('credit'));
    await decide(h, 'credit', 'reject', finance2, 'over limit');
    return h;
  },

  'parallel-awaiting': async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised(rare, c.orderId(name)));
    await until(h, awaitingOf('credit', 'materials'));
    await decide(h, 'materials', 'approve', procurement, 'pre-purchase 1');
    await decide(h, 'credit', 'approve', finance);
    await decide(h, 'final_approval', 'approve', management);
    return h;
  },

  'reminder-escalation-timeout-reject': async (c, name) =>
    startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)), { policy: timed('reject') }),

  'timeout-expire': async (c, name) =>
    startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)), { policy: timed('expire') }),

  'changes-amend-approved': async (c, name) => {
    const orderId = c.orderId(name);
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-AMEND' }, orderId));
    await until(h, awaitingOf('credit'));
    await decide(h, 'credit', 'request_changes', finance, 'order less, please');
    const smaller = normalised({ customerId: 'C-AMEND', lines: [{ sku: 'BOX', quantity: 4, unitPrice: '12.50' }], declaredTotal: '50.00' }, orderId);
    await h.executeUpdate(amendUpdate, { args: [{ order: smaller, actor: actor('shop') }] });
    return h;
  },

  'changes-requested-expiry': async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)), {
      policy: testPolicy({ changesRequestedTimeout: '1s' }),
    });
    await until(h, awaitingOf('credit'));
    await decide(h, 'credit', 'request_changes', finance, 'fix the terms');
    return h;
  },

  // v1.1 (section 10): finance has the limit raised, rechecks, the credit step passes on its own and so does the rest.
  'recheck-credit-auto-approved': async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-RECHECK' }, c.orderId(name)));
    await until(h, awaitingOf('credit'));
    await h.executeUpdate(recheckUpdate, { args: [{ step: 'credit', actor: finance }] }); // still over the limit: waits on
    c.db.update(customers).set({ creditLimitMinor: 1_000_000, version: 2 }).where(eq(customers.id, 'C-RECHECK')).run();
    await h.executeUpdate(recheckUpdate, { args: [{ step: 'credit', actor: finance }] });
    return h;
  },

  // v1.1 (section 12): finance claims credit and hands it to a colleague, who approves.
  'claim-assign-approved': async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)));
    await until(h, awaitingOf('credit'));
    await h.executeUpdate(claimUpdate, { args: [{ step: 'credit', actor: finance }] });
    await h.executeUpdate(assignUpdate, { args: [{ step: 'credit', actor: finance, to: finance2 }] });
    await decide(h, 'credit', 'approve', finance2, 'taken over');
    await decide(h, 'final_approval', 'approve', management);
    return h;
  },

  // v1.1: a delegate of another department decides finance's step on behalf of the away colleague.
  'delegated-decision': async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)));
    await until(h, awaitingOf('credit'));
    const delegate = actor('prod-9', 'production', 'finance');
    await h.executeUpdate(decideUpdate, { args: [{ step: 'credit', decision: 'approve', comment: 'for fin-2', actor: delegate, onBehalfOf: 'fin-2' }] });
    await decide(h, 'final_approval', 'approve', management);
    return h;
  },

  // v1.1 (reReview "changed"): only the delivery date moves; credit's human approval and the stock are kept.
  're-review-date-kept': async (c, name) => {
    const orderId = c.orderId(name);
    const first = normalised({ customerId: 'C-REREVIEW' }, orderId);
    const h = await startOrder(c.client, c.taskQueue, first);
    await until(h, awaitingOf('credit'));
    await decide(h, 'credit', 'approve', finance, 'known customer');
    await until(h, awaitingOf('final_approval'));
    await decide(h, 'final_approval', 'request_changes', management, 'a week later, please');
    await h.executeUpdate(amendUpdate, { args: [{ order: { ...first, requestedDeliveryDate: addDays(first.requestedDeliveryDate, 7) }, actor: actor('shop') }] });
    await until(h, awaitingOf('final_approval'));
    await decide(h, 'final_approval', 'approve', management, 'fine');
    return h;
  },

  // v1.1 (section 12): business-hour deadlines on a calendar policy; decided before they fall.
  'business-calendar-decided': async (c, name) => {
    const policy = testPolicy({
      patch: {
        calendar: { timeZone: 'Asia/Shanghai', workingDays: [1, 2, 3, 4, 5], workingHours: ['09:00', '18:00'], holidays: [] },
        steps: Object.fromEntries(
          Object.keys(BUILT_IN_POLICY.steps).map((k) => [k, { reminderAfter: '2bh', escalateAfter: '4bh', timeoutAfter: '1bd', onTimeout: 'reject' }]),
        ) as RawPolicy['steps'],
      },
    });
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)), { policy });
    await until(h, awaitingOf('credit'));
    await decide(h, 'credit', 'approve', finance);
    await decide(h, 'final_approval', 'approve', management);
    return h;
  },

  // v1.1 (section 11): an order of a namespace with the search attributes keeps them up to date.
  'search-attributes-indexed': async (c, name) => {
    const order = normalised({ customerId: 'C-SMALL' }, c.orderId(name));
    const h = await c.client.workflow.start(orderReviewWorkflow, {
      taskQueue: c.taskQueue,
      workflowId: workflowIdFor(order.orderId),
      args: [{ order, submittedBy: 'shop', submittedAt: new Date().toISOString(), policy: testPolicy(), searchAttributes: true }],
      typedSearchAttributes: [
        { key: OrderStatus, value: 'in_review' },
        { key: OrderCustomerId, value: order.customerId },
      ],
    });
    await until(h, awaitingOf('credit'));
    await decide(h, 'credit', 'approve', finance);
    await decide(h, 'final_approval', 'approve', management);
    return h;
  },

  // v1.1 (section 7): a webhook's relay delivers the log to a receiver, then the subscription is deleted and it ends.
  'relay-webhook-deleted': async (c) => {
    const receiver = await new Promise<http.Server>((resolve) => {
      const srv = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
      srv.listen(0, '127.0.0.1', () => resolve(srv));
    });
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const webhookId = 'wh_capture0000000';
    c.db.insert(webhooks)
      .values({ id: webhookId, ownerId: 'admin', ownOrdersOnly: false, url, types: [], description: null, secretSealed: c.secrets.seal(`whsec_${Buffer.from('capture secret, 24 bytes').toString('base64')}`), createdAt: new Date().toISOString() })
      .run();
    // From the start of the log: it delivers the events of the other paths so far.
    c.db.insert(relayCheckpoints).values({ relayId: `webhook:${webhookId}`, pos: 0, updatedAt: new Date().toISOString() }).run();
    const relay = { kind: 'webhook' as const, webhookId };
    const h = await c.client.workflow.start(eventRelayWorkflow, {
      taskQueue: c.taskQueue,
      workflowId: relayWorkflowId(relay),
      args: [{ relay, options: { ...DEFAULT_RELAY_OPTIONS, pollMs: 500 } }],
    });
    await h.signal(relayWakeSignal);
    const deadline = Date.now() + 20_000;
    while (!c.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId)).get()) {
      if (Date.now() > deadline) throw new Error('relay: nothing delivered');
      await new Promise((r) => setTimeout(r, 100));
    }
    c.db.update(webhooks).set({ deletedAt: new Date().toISOString() }).where(eq(webhooks.id, webhookId)).run();
    await h.signal(relayWakeSignal);
    await h.result();
    receiver.close();
    return h;
  },

  cancel: async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)));
    await until(h, awaitingOf('credit'));
    await h.executeUpdate(cancelUpdate, { args: [{ reason: 'customer withdrew', actor: actor('shop') }] });
    return h;
  },

  'race-refused': async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised({ customerId: 'C-SMALL' }, c.orderId(name)));
    await until(h, awaitingOf('credit'));
    const results = await Promise.allSettled([decide(h, 'credit', 'approve', finance), decide(h, 'credit', 'reject', finance2, 'no')]);
    if (results.filter((r) => r.status === 'fulfilled').length !== 1) throw new Error('race: expected exactly one winner');
    const approved = results[0].status === 'fulfilled';
    if (approved) await decide(h, 'final_approval', 'approve', management);
    return h;
  },

  'sod-refused': async (c, name) => {
    const h = await startOrder(c.client, c.taskQueue, normalised(rare, c.orderId(name)));
    await until(h, awaitingOf('credit', 'materials'));
    const refused = async (p: Promise<unknown>) => {
      if (await p.then(() => true, () => false)) throw new Error('sod: expected a refusal');
    };
    await refused(decide(h, 'credit', 'approve', actor('shop', 'finance'))); // the submitter
    const both = actor('both-1', 'finance', 'procurement');
    await decide(h, 'credit', 'approve', both);
    await refused(decide(h, 'materials', 'approve', both)); // a second step by one principal
    await decide(h, 'materials', 'approve', procurement);
    await decide(h, 'final_approval', 'approve', management);
    return h;
  },
};

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !(n in PATHS));
  if (unknown.length > 0) {
    console.error(`unknown path(s): ${unknown.join(', ')}; known: ${Object.keys(PATHS).join(', ')}`);
    process.exit(2);
  }
  const names = only.length > 0 ? only : Object.keys(PATHS);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await resolveTemporalCli({ build: false, log: console.log });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      ip: '127.0.0.1',
      searchAttributes: [OrderStatus, OrderCustomerId, OrderAwaitingDepartments],
    },
  });
  const db = createTestDb();
  // The amendment path gets a customer of its own: other open orders count towards C-SMALL's exposure.
  db.insert(customers)
    .values({ id: 'C-AMEND', name: 'Amending', tier: 'standard', creditLimitMinor: 10_000, openBalanceMinor: 0, allowedPaymentTerms: ['NET30'], onHold: false, updatedAt: today() })
    .run();
  db.insert(customers)
    .values({ id: 'C-REREVIEW', name: 'Amending the date', tier: 'standard', creditLimitMinor: 10_000, openBalanceMinor: 0, allowedPaymentTerms: ['NET30'], onHold: false, updatedAt: today() })
    .run();
  // The recheck path raises this customer's limit while its order waits: no other path may share it.
  db.insert(customers)
    .values({ id: 'C-RECHECK', name: 'Rechecking', tier: 'vip', creditLimitMinor: 10_000, openBalanceMinor: 0, allowedPaymentTerms: ['NET30'], onHold: false, updatedAt: today() })
    .run();
  const taskQueue = 'capture-histories';
  const secrets = createSecretBox(randomBytes(32));
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../workflows'), logger: new DefaultLogger('WARN') });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { code },
      activities: createActivities(db, { relay: { secrets, mailer: createMailer({ smtpUrl: undefined, from: 'capture', publicUrl: 'http://127.0.0.1' }, () => undefined), allowPrivate: true, publicUrl: 'http://127.0.0.1' } }),
      shutdownGraceTime: '1s',
    });
    running = worker.run();
    const ctx: Ctx = { client: env.client, taskQueue, orderId: (name) => `PO-REPLAY-${name}`, db, secrets };
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const results = await Promise.allSettled(
      names.map(async (name) => {
        const h = await PATHS[name]!(ctx, name);
        const outcome = await h.result();
        const history = await h.fetchHistory();
        const file = path.join(OUT_DIR, `${name}.json`);
        fs.writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
        console.log(`${name}: ${(outcome as { status?: string } | undefined)?.status ?? "ended"} (${history.events?.length ?? 0} events) → ${path.relative(process.cwd(), file)}`);
      }),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${names[i]}: ${String(r.reason)}`] : []));
    if (failed.length > 0) throw new Error(`some paths failed:\n${failed.join('\n')}`);
  } finally {
    worker?.shutdown();
    await running?.catch(() => {});
    await env.teardown();
    closeDatabase(db);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
