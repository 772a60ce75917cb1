/**
 * Captures the replay gate's histories: runs one real order through every path of the workflow on a throwaway
 * Temporal dev server (real worker, temp SQLite db, second-scale timers) and writes each closed history to
 * test/replay/histories/<path>.json. test/replay/replay.test.ts replays them all against the current code.
 *
 *   npx tsx scripts/capture-histories.ts            # every path
 *   npx tsx scripts/capture-histories.ts cancel ... # only these paths
 *
 * Re-capture after a change that was made safe with patched() (new histories show the patch marker); keep the
 * old files too, as long as orders started before the change may still be running.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { eq } from 'drizzle-orm';
import { closeDatabase, type Db } from '../db/client';
import { customers } from '../db/schema';
import { amendUpdate, cancelUpdate, recheckUpdate } from '../workflows/messages';
import { createTestDb, normalised, testPolicy, today } from '../test/helpers/fixtures';
import {
  actor,
  awaitingOf,
  decide,
  finance,
  finance2,
  management,
  procurement,
  type OrderHandle,
  startOrder,
  until,
} from '../test/workflows/helpers';
import { resolveTemporalCli } from './temporal-cli';

const OUT_DIR = path.resolve(__dirname, '../test/replay/histories');

interface Ctx {
  client: Client;
  taskQueue: string;
  /** A fixed, readable order id per path: the server is fresh, so ids never collide. */
  orderId: (name: string) => string;
  /** The paths' master data (a path may change it, e.g. to raise a limit before a recheck). */
  db: Db;
}

const timed = (onTimeout: 'reject' | 'expire') => testPolicy({ reminder: '1s', escalate: '2s', timeout: '3s', onTimeout });
const rare = { customerId: 'C-SMALL', lines: [{ sku: 'RARE', quantity: 11, unitPrice: '20.00' }], declaredTotal: '220.00' };

/** Each path drives one order to its end and returns its handle. */
const PATHS: Record<string, (c: Ctx, name: string) => Promise<OrderHandle>> = {
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
    server: { executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' }, ip: '127.0.0.1' },
  });
  const db = createTestDb();
  // The amendment path gets a customer of its own: other open orders count towards C-SMALL's exposure.
  db.insert(customers)
    .values({ id: 'C-AMEND', name: 'Amending', tier: 'standard', creditLimitMinor: 10_000, openBalanceMinor: 0, allowedPaymentTerms: ['NET30'], onHold: false, updatedAt: today() })
    .run();
  // The recheck path raises this customer's limit while its order waits: no other path may share it.
  db.insert(customers)
    .values({ id: 'C-RECHECK', name: 'Rechecking', tier: 'vip', creditLimitMinor: 10_000, openBalanceMinor: 0, allowedPaymentTerms: ['NET30'], onHold: false, updatedAt: today() })
    .run();
  const taskQueue = 'capture-histories';
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../workflows'), logger: new DefaultLogger('WARN') });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { code },
      activities: createActivities(db),
      shutdownGraceTime: '1s',
    });
    running = worker.run();
    const ctx: Ctx = { client: env.client, taskQueue, orderId: (name) => `PO-REPLAY-${name}`, db };
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const results = await Promise.allSettled(
      names.map(async (name) => {
        const h = await PATHS[name]!(ctx, name);
        const outcome = await h.result();
        const history = await h.fetchHistory();
        const file = path.join(OUT_DIR, `${name}.json`);
        fs.writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
        console.log(`${name}: ${outcome.status} (${history.events?.length ?? 0} events) → ${path.relative(process.cwd(), file)}`);
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
