/**
 * The product in its production shape against a real Temporal cluster (PostgreSQL, 4 history shards, frontend,
 * history, matching and worker as separate processes): two worker.ts and two server.ts processes on one DATA_DIR,
 * orders submitted through both APIs and decided through either, while one worker is SIGKILLed and the history
 * service is killed and restarted. Afterwards every accepted order is in exactly one end state, holds its stock
 * and capacity exactly once (or none, when rejected), and its history replays on the current workflow code.
 * Run once in plaintext and once with mTLS between the product and the frontend.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection, TransportError } from '@temporalio/worker';
import { and, inArray, isNull } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { fetchTemporalHistory } from '../../api/services/history';
import { parseHistory, replayHistory } from '../../api/services/replay';
import { loadConfig } from '../../config';
import { closeDatabase, openDatabase } from '../../db/client';
import { capacityBookings, materialReservations, orderHistories } from '../../db/schema';
import { startTestCluster, NUM_HISTORY_SHARDS, SERVICES, type TestCluster } from '../../scripts/cluster/cluster';
import { PidRegistry, waitFor } from '../../scripts/cluster/processes';
import { temporalConnectionOptions } from '../../temporal-connection';
import { ORDER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { workflowIdFor } from '../../workflows/messages';
import { EXPECTED, runOrderLoad } from './order-load';
import { HOURS_PER_ORDER, MATERIAL, must, type Product, type RetryStats, seed, startProduct, type Tokens, UNITS_PER_ORDER } from './product';

const ROOT = path.resolve(__dirname, '../..');
/** Orders per run: two thirds clean (auto-approved), one third waiting for finance (half approved, half rejected). */
const ORDERS = 96;

export function productionShapeSuite(mode: 'plaintext' | 'mtls'): void {
  const mtls = mode === 'mtls';
  const log = (msg: string): void => console.log(`[cluster ${mode}] ${msg}`);
  const stats: RetryStats = { retried: {} };
  let dir: string;
  let cluster: TestCluster | undefined;
  let product: Product | undefined;
  let tokens: Tokens;
  let connection: Connection | undefined;
  let client: Client;
  let failed = false;

  beforeAll(async () => {
    const started = Date.now();
    dir = fs.mkdtempSync(path.join(inject('clusterRunDir'), `${mode}-`));
    const registry = new PidRegistry(inject('clusterPidFile'));
    try {
      cluster = await startTestCluster({ binaries: inject('serverBinaries'), cli: inject('temporalCli'), pg: inject('postgres'), dir, mtls, registry, log });
      product = await startProduct({ dir, clientEnv: cluster.clientEnv, workers: 2, apis: 2, registry });
      tokens = await seed(stats, product.apis[0]!, product.adminToken);
      // The suite's own client goes through the product's configuration code: the same variables, the same options.
      connection = await Connection.connect(temporalConnectionOptions(loadConfig({ ...cluster.clientEnv, DATA_DIR: product.dataDir })));
      client = new Client({ connection, namespace: cluster.namespace });
    } catch (err) {
      failed = true;
      throw err;
    }
    log(`cluster and product (2 workers, 2 APIs) up in ${Math.round((Date.now() - started) / 1000)} s`);
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    await connection?.close();
    await product?.stop();
    await cluster?.stop();
    if (failed) log(`logs kept in ${dir}`);
    else if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs four separate service processes on PostgreSQL with several shards and the product’s search attributes', async () => {
    const pids = SERVICES.map((s) => cluster!.services[s].child.pid);
    expect(new Set(pids).size).toBe(4);
    const info = JSON.parse(await cluster!.cli(['operator', 'cluster', 'describe', '-o', 'json'])) as Record<string, unknown>;
    expect(info).toMatchObject({ historyShardCount: NUM_HISTORY_SHARDS, persistenceStore: 'postgres12', visibilityStore: 'postgres12' });
    const attrs = JSON.parse(await cluster!.cli(['operator', 'search-attribute', 'list', '--namespace', cluster!.namespace, '-o', 'json'])) as {
      customAttributes: Record<string, string>;
    };
    for (const { name, type } of ORDER_SEARCH_ATTRIBUTES) expect(attrs.customAttributes[name], name).toBe(`INDEXED_VALUE_TYPE_${type}`);
  });

  if (mtls) {
    it('refuses clients without a certificate of the cluster’s CA, checks the frontend’s name, and the product needs its certificate', async () => {
      const pki = cluster!.pki!;
      const address = cluster!.frontendAddress;
      const pair = (p: { cert: string; key: string }) => ({ clientCertPair: { crt: fs.readFileSync(p.cert), key: fs.readFileSync(p.key) } });
      const server = { serverRootCACertificate: fs.readFileSync(pki.caCert), serverNameOverride: pki.serverName };
      // The worker's connection (core): its errors name the TLS failure.
      const native = async (tls: TLSConfig) => {
        const c = await NativeConnection.connect({ address, tls });
        await c.close();
      };
      // The control: with the product's certificate the same connection is made.
      await expect(native({ ...server, ...pair(pki.product) })).resolves.toBeUndefined();
      // Without a certificate, or with one of another CA, the frontend ends the handshake (TLS 1.3 reports it as
      // an alert or as the connection closing, whichever the client reads first).
      await expect(native(server)).rejects.toThrow(TransportError);
      await expect(native({ ...server, ...pair(pki.stranger) })).rejects.toThrow(TransportError);
      // The client checks the frontend's certificate against the name it expects.
      await expect(native({ ...server, ...pair(pki.product), serverNameOverride: 'other.order-review.test' })).rejects.toThrow(/NotValidForName/);
      // The API's connection (grpc-js): no certificate, or no TLS at all, never connects.
      const client = async (tls: TLSConfig | null) => {
        const c = await Connection.connect({ address, tls, connectTimeout: 3_000 });
        try {
          return await c.workflowService.getSystemInfo({});
        } finally {
          await c.close();
        }
      };
      await expect(client({ ...server, ...pair(pki.product) })).resolves.toHaveProperty('serverVersion');
      await expect(client(server)).rejects.toThrow(/Failed to connect before the deadline/);
      await expect(client(null)).rejects.toThrow(/Failed to connect before the deadline/);
      // And the product: worker.ts with the CA but without TEMPORAL_TLS_CERT/KEY does not start.
      const env = { ...process.env, ...cluster!.clientEnv, DATA_DIR: path.join(dir, 'no-cert'), TASK_QUEUE: 'no-cert', LOG_LEVEL: 'warn' };
      delete env.TEMPORAL_TLS_CERT;
      delete env.TEMPORAL_TLS_KEY;
      const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker.ts')], { cwd: ROOT, env, encoding: 'utf8', timeout: 90_000 });
      expect(run.status).toBe(1);
      // Its last word is a JSON log line on stdout (pino, like every line of the product's processes).
      const fatal = run.stdout
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { level?: string; msg?: string; err?: { type?: string } }];
          } catch {
            return [];
          }
        })
        .find((l) => l.msg === 'worker failed');
      expect(fatal, `${run.stdout}\n${run.stderr}`).toMatchObject({ level: 'fatal', err: { type: 'TransportError' } });
    });
  }

  it('every accepted order ends in exactly one state with its holds once, across a worker SIGKILL and a history restart', async () => {
    const p = product!;
    const { journeys, faults, loadMs } = await runOrderLoad({ mode, product: p, cluster: cluster!, tokens, stats, orders: ORDERS });
    log(`${ORDERS} orders in ${Math.round(loadMs / 1000)} s; faults ${JSON.stringify(faults)}; retried responses ${JSON.stringify(stats.retried)}`);

    // The faults happened under load: orders were in flight at each.
    expect(faults.map((f) => f.inFlight > 0)).toEqual([true, true]);
    // Both APIs took submissions and decisions.
    expect(new Set(journeys.map((j) => j.api))).toEqual(new Set([0, 1]));
    expect(new Set(journeys.flatMap((j) => j.decidedThrough))).toEqual(new Set([0, 1]));

    // Exactly one end state each, the one its decisions call for, in the read model and in Temporal.
    expect(journeys.map((j) => [j.orderId, j.final])).toEqual(journeys.map((j) => [j.orderId, EXPECTED[j.kind]]));
    for (const j of journeys) {
      const result = (await client.workflow.getHandle(workflowIdFor(j.orderId)).result()) as { status: string };
      expect(result.status, j.orderId).toBe(EXPECTED[j.kind]);
    }
    // One workflow execution per order (the event relays run on the same task queue too, and never end): none
    // started twice by a retried submission (visibility is eventually
    // consistent, so wait for it to list them all).
    const ids = new Set(journeys.map((j) => workflowIdFor(j.orderId)));
    let executions: { workflowId: string; status: string }[] = [];
    await waitFor(
      'visibility to list every order as completed',
      async () => {
        executions = [];
        for await (const w of client.workflow.list({ query: `TaskQueue = '${p.taskQueue}' AND WorkflowType = 'orderReviewWorkflow'` })) executions.push({ workflowId: w.workflowId, status: w.status.name });
        return executions.length >= ids.size && executions.every((e) => e.status === 'COMPLETED');
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(executions.map((e) => e.workflowId).sort()).toEqual([...ids].sort());

    // Holds exactly once: an approved order holds its material and capacity once, a rejected one holds nothing.
    const db = openDatabase(path.join(p.dataDir, 'app.db'), { migrate: false });
    try {
      const orderIds = journeys.map((j) => j.orderId);
      const reservations = db
        .select()
        .from(materialReservations)
        .where(and(inArray(materialReservations.orderId, orderIds), isNull(materialReservations.releasedAt)))
        .all();
      const bookings = db
        .select()
        .from(capacityBookings)
        .where(and(inArray(capacityBookings.orderId, orderIds), isNull(capacityBookings.releasedAt)))
        .all();
      for (const j of journeys) {
        const held = reservations.filter((r) => r.orderId === j.orderId).map((r) => ({ materialId: r.materialId, quantity: r.quantity }));
        const hours = bookings.filter((b) => b.orderId === j.orderId).reduce((s, b) => s + b.hours, 0);
        const approved = EXPECTED[j.kind] === 'approved';
        expect(held, j.orderId).toEqual(approved ? [{ materialId: MATERIAL, quantity: UNITS_PER_ORDER }] : []);
        expect(hours, j.orderId).toBeCloseTo(approved ? HOURS_PER_ORDER : 0);
      }
      const approvedCount = journeys.filter((j) => EXPECTED[j.kind] === 'approved').length;
      const material = await must<{ reserved: number }>(stats, 'GET', `${p.apis[1]}/v1/materials/${MATERIAL}`, tokens.shop);
      expect(material.reserved).toBe(approvedCount * UNITS_PER_ORDER);

      // Both APIs archive finished orders into the one shared database; all get there.
      await waitFor(
        'every finished order archived',
        async () => db.select({ id: orderHistories.orderId }).from(orderHistories).where(inArray(orderHistories.orderId, orderIds)).all().length === ORDERS,
        { timeoutMs: 60_000, intervalMs: 1_000 },
      );
    } finally {
      closeDatabase(db);
    }

    // Every history, as the cluster recorded it through the faults, replays on the current workflow code.
    const verdicts = [];
    for (const j of journeys) {
      const history = await fetchTemporalHistory(client, j.orderId);
      verdicts.push(await replayHistory(parseHistory(history), { timeoutMs: 60_000 }));
    }
    expect(verdicts.filter((v) => !v.deterministic)).toEqual([]);
    expect(verdicts).toHaveLength(ORDERS);

    // `npm run replay -- --order` fetches from the cluster with the same settings (an empty DATA_DIR: no archive).
    const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/replay.ts'), '--order', journeys[0]!.orderId, '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...cluster!.clientEnv, DATA_DIR: path.join(dir, 'replay-cli') },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toEqual({ workflowId: workflowIdFor(journeys[0]!.orderId), deterministic: true });
    expect(cli.status).toBe(0);
  });
}

/** The describe block of one mode, for the two test files. */
export function describeProductionShape(mode: 'plaintext' | 'mtls'): void {
  describe(`production shape on a Temporal cluster (${mode})`, () => productionShapeSuite(mode));
}
