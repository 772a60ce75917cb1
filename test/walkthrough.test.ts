/**
 * The README's API walkthrough is a script that runs: scripts/walkthrough.sh is the README block line for line, and
 * it runs unchanged against `npm start` on a fresh DATA_DIR (its own embedded Temporal server, free ports), ending
 * where the README says (both orders approved, the stock reserved) without touching the demo data.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const SCRIPT = path.join(ROOT, 'scripts/walkthrough.sh');
const MARKER = '# ---- the README block ----\n';

/** The bash block of the README's "API walkthrough" section. */
function readmeBlock(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## API walkthrough'));
  const m = /```bash\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README: no bash block under "API walkthrough"');
  return m[1]!;
}

function scriptBlock(): string {
  const script = fs.readFileSync(SCRIPT, 'utf8');
  const at = script.indexOf(MARKER);
  if (at < 0) throw new Error(`${SCRIPT}: no "${MARKER.trim()}" line`);
  return script.slice(at + MARKER.length);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

describe('README walkthrough', () => {
  it('scripts/walkthrough.sh is the README block, line for line', () => {
    expect(scriptBlock()).toBe(readmeBlock());
  });

  describe('against npm start on a fresh DATA_DIR', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-walkthrough-'));
    let start: ChildProcess | undefined;
    let log = '';
    let stdout = '';
    let stderr = '';
    let base = '';

    beforeAll(async () => {
      const [port, devPort, uiPort] = [await freePort(), await freePort(), await freePort()];
      base = `http://127.0.0.1:${port}`;
      // Its own process group, so the whole tree (npm, tsx, node, the Temporal server) can be stopped together.
      start = spawn('npm', ['start'], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          DATA_DIR: dataDir,
          PORT: String(port),
          TEMPORAL_DEV_PORT: String(devPort),
          TEMPORAL_UI_PORT: String(uiPort),
          TEMPORAL_ADDRESS: '',
          ADMIN_TOKEN: '',
          // info: the review lines of the walkthrough's orders are part of what is checked below.
          LOG_LEVEL: 'info',
        },
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start not ready after 240 s:\n${log}`)), 240_000);
        const onData = (chunk: Buffer) => {
          log += chunk.toString();
          if (log.includes('"msg":"ready in')) {
            clearTimeout(timer);
            resolve();
          }
        };
        start!.stdout!.on('data', onData);
        start!.stderr!.on('data', onData);
        start!.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
        start!.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        start!.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`npm start exited with ${code}:\n${log}`));
        });
      });
    }, 300_000);

    afterAll(async () => {
      const child = start;
      if (child?.pid && child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        process.kill(-child.pid, 'SIGTERM');
        const kill = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 30_000);
        await exited;
        clearTimeout(kill);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    const admin = () => ({ authorization: `Bearer ${fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim()}` });
    const get = async (p: string) => {
      const res = await fetch(`${base}${p}`, { headers: admin() });
      expect(res.status, p).toBe(200);
      return res.json() as Promise<any>;
    };

    /** The demo master data (capacity: its settings; the walkthrough's orders book hours, as any order does). */
    const demoData = async () => {
      const [customer, product, material, { booked: _booked, ...capacity }] = await Promise.all(
        ['/v1/customers/C-1001', '/v1/products/BOX-E-001', '/v1/materials/M-KRAFT', '/v1/capacity'].map(get),
      );
      return [customer, product, material, capacity];
    };

    it('runs to the end and leaves what the README says', async () => {
      const demoBefore = await demoData();

      const run = spawnSync('bash', [SCRIPT], { cwd: ROOT, env: { ...process.env, B: base, DATA_DIR: dataDir }, encoding: 'utf8', timeout: 180_000 });
      expect(run.status, `walkthrough failed:\n${run.stderr}\n${run.stdout}`).toBe(0);
      expect(run.stderr).toBe('');
      // The integrator's master-data write and the late cancel are refused as the comments say.
      expect(run.stdout).toMatch(/^403$/m);
      // One answer per line: the ERP's two customer writes answer the record, version 1 and 2.
      const writes = run.stdout.split('\n').filter((l) => l.startsWith('{"customerId":"C-9001"'));
      expect(writes.map((l) => (JSON.parse(l) as { version: number }).version)).toEqual([1, 2]);
      expect(run.stdout).toMatch(/HTTP\/1\.1 409[\s\S]*"detail":"order is approved"/);

      const first = await get('/v1/orders/PO-2026-0001');
      expect(first).toMatchObject({ status: 'approved', outcome: { status: 'approved', step: 'final_approval' } });
      const repeat = await get('/v1/orders/PO-2026-0002');
      expect(repeat).toMatchObject({
        status: 'approved',
        order: { repeatOf: 'PO-2026-0001', paymentTerms: 'NET30', currency: 'CNY', filledFromCustomer: ['paymentTerms', 'currency'], total: '1250.00' },
      });
      const credit = repeat.steps.find((s: { step: string }) => s.step === 'credit');
      expect(credit).toMatchObject({ status: 'auto_approved', evidence: { creditLimit: '5000.00', openOrders: '1250.00', exposure: '2500.00', customerVersion: 2 } });
      expect(await get('/v1/materials/M-X-KRAFT')).toMatchObject({ onHand: 10000, reserved: 400, available: 9600 });
      const versions = await get('/v1/customers/C-9001/versions');
      expect(versions.map((v: { version: number; by: string }) => [v.version, v.by])).toEqual([[1, 'acme-erp'], [2, 'acme-erp']]);
      const audit = (await get('/v1/orders/PO-2026-0002/audit')).events;
      expect(audit).toContainEqual(expect.objectContaining({ type: 'step_rechecked', step: 'credit', actor: 'fiona', detail: expect.objectContaining({ outcome: 'auto_approved' }) }));

      expect(await demoData()).toEqual(demoBefore);
      expect(demoBefore[0]).toMatchObject({ version: 1, defaults: { paymentTerms: 'NET30' } });
      expect((await get('/v1/customers/C-1001/versions'))[0]).toMatchObject({ version: 1, by: 'seed' });
      // The demo principals include the ERP system, whose token is in the demo tokens file.
      const tokens = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<string, string>;
      const erp = await fetch(`${base}/v1/customers/C-1001`, { headers: { authorization: `Bearer ${tokens.erp}` } });
      expect(erp.status).toBe(200);
    }, 240_000);

    it("prints only JSON lines, named by the part that wrote them, with the order id on the orders' review lines", async () => {
      // npm's own banner ("> order-review@… start") is not ours.
      const lines = stdout.split('\n').filter((l) => l.trim() && !l.startsWith('> '));
      const parsed = lines.map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          throw new Error(`npm start printed a line that is not JSON: ${l}`);
        }
      });
      expect(stderr).toBe('');
      expect(new Set(parsed.map((l) => l.name))).toEqual(new Set(['start', 'dev-server', 'worker', 'api']));
      expect(parsed.filter((l) => /webpack|modules by path|orphan modules|asset workflow-bundle|compiled successfully/i.test(String(l.msg)))).toEqual([]);
      // The walkthrough's first order waited for finance and management, who decided it.
      await expect.poll(() => stdout.includes('"msg":"order review finished"')).toBe(true);
      const review = stdout
        .split('\n')
        .filter((l) => l.includes('PO-2026-0001') && l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'decision landed' || l.msg === 'step awaiting a decision');
      expect(review.length).toBeGreaterThanOrEqual(4);
      for (const l of review) expect(l).toMatchObject({ orderId: 'PO-2026-0001', principal: expect.any(String) });
    });
  });
});
