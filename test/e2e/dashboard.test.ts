/**
 * The console's dashboard in a real browser (Debian's Chromium via playwright-core) against the real API on a
 * loopback port, a real worker on the run's Temporal dev server and a temp SQLite file, on a second-scale policy.
 *
 * Three orders with known fates run first: one passes every check (touchless); one waits for finance, which claims it
 * and answers after about a second, then for management; one waits for finance until its 4 s timeout rejects it.
 * Then a management approver opens the dashboard: the figures, the hand-offs of the cycle picture and the charts'
 * numbers are the ones GET /v1/kpis gives for the same period, the charts are drawn on canvases (uPlot, served by the
 * product), and the page raises no script error and no CSP violation. A sales approver sees no dashboard entry, and
 * the API refuses it the page's data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { formatRate, formatSeconds, periodDates } from '../../api/console/public/dashboard-data.js';
import { loadConfig } from '../../config';
import { closeDatabase, type Db, openDatabase } from '../../db/client';
import { createPrincipal } from '../../db/principals';
import { addDays } from '../../domain/dates';
import { BUILT_IN_POLICY, parsePolicy } from '../../domain/policy';
import { seedTestWorld } from '../helpers/fixtures';
import { creditOrder } from './harness';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

/** Browser globals inside page.evaluate callbacks (the project compiles without the DOM lib). */
declare const document: any;
declare const window: any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
}

const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(__dirname, 'artifacts');
const DOCS = path.join(ROOT, 'docs');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const DESKTOP = { width: 1440, height: 1000 };
const PHONE = { width: 390, height: 844 };

describe('dashboard (Chromium)', () => {
  let temporal: TestClient;
  let worker: TestWorker;
  let db: Db;
  let dataDir: string;
  let app: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];
  const tokens = { shop: '', finance: '', management: '', management2: '', sales: '', auditor: '' };
  const run = randomUUID().slice(0, 6);
  const ids = { touchless: `DASH-${run}-touchless`, decided: `DASH-${run}-decided`, timedOut: `DASH-${run}-timeout` };

  async function apiAs(token: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: await res.json() };
  }


  async function waitForOrder(id: string, pred: (o: any) => boolean, what: string, timeoutMs = 30_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let last: any;
    while (Date.now() < deadline) {
      const res = await apiAs(tokens.shop, 'GET', `/v1/orders/${id}`);
      last = res.json;
      if (res.status === 200 && pred(res.json)) return res.json;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`order ${id}: timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
  }

  async function newPage(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // A refused fetch (the 403 below) is logged by Chromium as a failed resource: expected there.
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageProblems.push(`console: ${msg.text()}`);
    });
    // CSP violations as the page sees them (Chromium also logs them as console errors, caught above).
    await page.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e: any) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    return page;
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto(`${baseUrl}/console`);
    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#workspace').waitFor({ state: 'visible' });
  }

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    temporal = await connectTestClient();
    const taskQueue = uniqueTaskQueue('e2e-dashboard');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-e2e-dash-'));
    const config = loadConfig({ DATA_DIR: dataDir, TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' });
    db = openDatabase(config.dbFile);
    seedTestWorld(db);
    tokens.shop = createPrincipal(db, { id: 'shop', name: 'Web shop', roles: ['integrator'] }).token;
    tokens.finance = createPrincipal(db, { id: 'fin-1', name: 'Fiona Finance', roles: ['approver:finance'] }).token;
    tokens.management = createPrincipal(db, { id: 'mgmt-1', name: 'Maria Management', roles: ['approver:management'] }).token;
    tokens.management2 = createPrincipal(db, { id: 'mgmt-2', name: 'Max Management', roles: ['approver:management'] }).token;
    tokens.sales = createPrincipal(db, { id: 'sales-1', name: 'Sam Sales', roles: ['approver:sales'] }).token;
    tokens.auditor = createPrincipal(db, { id: 'audit-1', name: 'Avery Auditor', roles: ['auditor'] }).token;
    worker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: temporal.connection });
    // Every human step reminds after 1 s, escalates after 2 s and rejects after 4 s without a decision.
    const steps = Object.fromEntries(
      Object.keys(BUILT_IN_POLICY.steps).map((k) => [k, { reminderAfter: '1s', escalateAfter: '2s', timeoutAfter: '4s', onTimeout: 'reject' }]),
    );
    const policy = parsePolicy({ ...BUILT_IN_POLICY, steps });
    app = await buildApp({ config, db, temporal: temporal.client, policy, sweeper: false });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });

    // C-OK has credit to spare; C-SMALL's 100.00 limit makes finance look at both of its orders.
    for (const [id, customer] of [
      [ids.touchless, 'C-OK'],
      [ids.decided, 'C-SMALL'],
      [ids.timedOut, 'C-SMALL'],
    ] as const) {
      const res = await apiAs(tokens.shop, 'POST', '/v1/orders', creditOrder(id, 10, { customerId: customer }));
      expect(res.status, JSON.stringify(res.json)).toBe(201);
    }
    await waitForOrder(ids.decided, (o) => o.awaiting.includes('credit'), 'credit to wait');
    await new Promise((r) => setTimeout(r, 300));
    expect((await apiAs(tokens.finance, 'POST', `/v1/orders/${ids.decided}/steps/credit/claim`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    const credit = await apiAs(tokens.finance, 'POST', `/v1/orders/${ids.decided}/steps/credit/decision`, { decision: 'approve' });
    expect(credit.status, JSON.stringify(credit.json)).toBe(200);
    await waitForOrder(ids.decided, (o) => o.awaiting.includes('final_approval'), 'final approval to wait');
    const final = await apiAs(tokens.management2, 'POST', `/v1/orders/${ids.decided}/steps/final_approval/decision`, { decision: 'approve' });
    expect(final.status, JSON.stringify(final.json)).toBe(200);
    for (const id of Object.values(ids)) await waitForOrder(id, (o) => o.completedAt !== null, 'its outcome');
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await app?.close();
    await worker?.stop();
    await temporal?.connection.close();
    if (db) closeDatabase(db);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves uPlot and its stylesheet from the product, under the console CSP', async () => {
    const js = await fetch(`${baseUrl}/console/vendor/uplot.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await js.text()).toContain('export { uPlot as default }');
    const css = await fetch(`${baseUrl}/console/vendor/uplot.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain('.uplot');
    expect((await fetch(`${baseUrl}/console/vendor/uPlot.cjs.js`)).status).toBe(404);
  });

  it('a management approver opens the dashboard: figures, cycle and charts match GET /v1/kpis', async () => {
    const page = await newPage();
    await signIn(page, tokens.management);
    const entry = page.getByRole('link', { name: 'Dashboard' });
    await entry.waitFor();
    const pageReport = page.waitForResponse((r) => r.url().includes('/v1/kpis?'));
    await entry.click();
    const seen = await (await pageReport).json();
    await page.locator('#kpi-tiles').waitFor();

    // The same period from the test's side: the last 30 days up to today (the browser runs in UTC, as the policy).
    const { from, to } = periodDates(30);
    const api = await apiAs(tokens.auditor, 'GET', `/v1/kpis?groupBy=day&from=${from}&to=${to}`);
    expect(api.status).toBe(200);
    const r = api.json;
    expect(seen.totals).toEqual(r.totals);
    expect(r.groups).toHaveLength(30);
    // The fates as run: three orders, two approved, one touchless, the timed-out one rejected.
    expect(r.totals).toMatchObject({ orders: 3, finished: 3, touchless: 1, outcomes: { approved: 2, rejected: 1 } });

    const tile = (kpi: string) => page.locator(`#kpi-tiles dd[data-kpi="${kpi}"]`);
    for (const [kpi, value, text] of [
      ['orders', r.totals.orders, String(r.totals.orders)],
      ['touchlessRate', r.totals.touchlessRate, formatRate(r.totals.touchlessRate)],
      ['firstPassRate', r.totals.firstPassRate, formatRate(r.totals.firstPassRate)],
      ['cycleP50', r.totals.cycleTimeSeconds.p50, formatSeconds(r.totals.cycleTimeSeconds.p50)],
      ['cycleP90', r.totals.cycleTimeSeconds.p90, formatSeconds(r.totals.cycleTimeSeconds.p90)],
    ] as const) {
      const dd = tile(kpi);
      expect(await dd.getAttribute('data-value'), kpi).toBe(String(value));
      expect(await dd.innerText(), kpi).toBe(text);
    }

    // The cycle: every step a box; finance's and management's hand-offs with their waits, as the API has them.
    const svg = page.locator('#cycle-svg');
    await svg.waitFor();
    expect(await svg.locator('g.cycle-step').count()).toBe(6);
    const dept = (d: string) => r.totals.departments.find((x: any) => x.department === d);
    const finance = dept('finance');
    expect(finance).toMatchObject({ answered: 1, pickedUp: 1, timeouts: 1 });
    expect(finance.pickupTimeSeconds.p50).toBeLessThan(finance.queueTimeSeconds.p50); // the claim came first
    for (const [step, d] of [
      ['credit', finance],
      ['final_approval', dept('management')],
    ] as const) {
      const handoff = svg.locator(`g.handoff[data-step="${step}"]`);
      expect(await handoff.getAttribute('data-pickup-p50'), step).toBe(String(d.pickupTimeSeconds.p50));
      expect(await handoff.getAttribute('data-queue-p50'), step).toBe(String(d.queueTimeSeconds.p50));
      const words = await handoff.locator('text').allTextContents();
      expect(words, step).toContain(`picked up in ${formatSeconds(d.pickupTimeSeconds.p50)}`);
      expect(words, step).toContain(`answered in ${formatSeconds(d.queueTimeSeconds.p50)}`);
      const box = svg.locator(`g.cycle-step[data-step="${step}"]`);
      expect(await box.getAttribute('data-auto-pass-rate'), step).toBe(String(d.autoPassRate));
      expect(await box.locator('text').allTextContents(), step).toContain(`${formatRate(d.autoPassRate)} touchless`);
    }
    // Steps nobody waited at say so; the longest hand-off in total is marked in words, not only in colour.
    expect(await svg.locator('g.handoff[data-step="capacity"] text').allTextContents()).toEqual(['no waits']);
    const dominant = [...r.totals.departments].sort((a: any, b: any) => b.queueTimeTotalSeconds - a.queueTimeTotalSeconds)[0];
    const marked = svg.locator('g.handoff-dominant');
    expect(await marked.count()).toBe(1);
    expect(await marked.getAttribute('data-department')).toBe(dominant.department);
    expect(await marked.innerHTML()).toMatch(/largest gap: \d+ %/);
    const creditRow = await page.locator('#handoff-table tr[data-step="credit"]').innerText();
    expect(creditRow).toContain(formatSeconds(finance.queueTimeSeconds.p90));

    // The charts: four uPlot canvases with their series drawn, and the day's numbers equal to the API's day group.
    await page.locator('.chart canvas').nth(3).waitFor();
    expect(await page.locator('.chart .uplot').count()).toBe(4);
    const day = r.groups.find((g: any) => g.orders > 0);
    expect(day.orders).toBe(3);
    const cells = async (chart: string) => page.locator(`table[data-chart="${chart}"] tr[data-day="${day.key}"] td`).allTextContents();
    expect(await cells('rates')).toEqual([`${Math.round(day.touchlessRate * 1000) / 10} %`, `${Math.round(day.firstPassRate * 1000) / 10} %`]);
    expect(await cells('cycle')).toEqual([formatSeconds(day.cycleTimeSeconds.p50), formatSeconds(day.cycleTimeSeconds.p90)]);
    const sum = (k: string) => day.departments.reduce((n: number, d: any) => n + d[k], 0);
    expect(await cells('waiting')).toEqual([String(sum('reminders')), String(sum('escalations')), String(sum('timeouts'))]);
    expect(sum('timeouts')).toBe(1);
    // The touchless series colour is on the rates canvas (one day of data: one point): uPlot drew the data, not only axes.
    const drawn = await page.locator('.chart[data-chart="rates"] canvas').evaluate((c: any) => {
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i] - 11) < 40 && Math.abs(px[i + 1] - 87) < 40 && Math.abs(px[i + 2] - 208) < 40 && px[i + 3] > 200) n++;
      return n;
    });
    expect(drawn).toBeGreaterThan(8);

    // The period selector asks for 7 days and shows the same orders (all of today).
    const seven = page.waitForResponse((res) => res.url().includes('/v1/kpis?'));
    await page.getByLabel('Period').selectOption('7');
    const sevenReport = await (await seven).json();
    expect(sevenReport.groups).toHaveLength(7);
    await page.locator('#kpi-tiles').waitFor();
    await expectEventually(async () => page.url().endsWith('#/dashboard?days=7'));
    expect(await page.locator('#dashboard-period-note').innerText()).toContain(periodDates(7).from);

    const file = path.join(ARTIFACTS, 'dashboard.png');
    await page.getByLabel('Period').selectOption('30');
    await page.locator('.chart canvas').nth(3).waitFor();
    await page.screenshot({ path: file, fullPage: true });
    // The README's picture changes only on purpose (UPDATE_DOCS=1).
    if (process.env.UPDATE_DOCS === '1' || !fs.existsSync(path.join(DOCS, 'dashboard.png'))) fs.copyFileSync(file, path.join(DOCS, 'dashboard.png'));

    expect(await page.evaluate(() => window.__csp)).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  it('an auditor has the entry too (on a phone: the page does not scroll sideways); a sales approver has none and the API refuses it the data', async () => {
    const auditor = await newPage(PHONE);
    await signIn(auditor, tokens.auditor);
    await auditor.getByRole('link', { name: 'Dashboard' }).click();
    await auditor.locator('.chart canvas').nth(3).waitFor();
    // The cycle picture scrolls inside its own box; the page itself fits the screen.
    expect(await auditor.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await auditor.locator('#cycle-svg').isVisible()).toBe(true);
    await auditor.screenshot({ path: path.join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });

    const sales = await newPage();
    await signIn(sales, tokens.sales);
    await sales.locator('#session-label').waitFor();
    expect(await sales.locator('#nav-dashboard').isHidden()).toBe(true);
    expect((await apiAs(tokens.sales, 'GET', '/v1/kpis?groupBy=day')).status).toBe(403);
    expect((await apiAs(tokens.finance, 'GET', '/v1/kpis')).status).toBe(403);
    // Typing the address shows the refusal, not an empty dashboard.
    const refused = sales.waitForResponse((res) => res.url().includes('/v1/kpis?'));
    await sales.evaluate(() => (window.location.hash = '#/dashboard'));
    expect((await refused).status()).toBe(403);
    const error = sales.locator('#dashboard-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/for management, auditors and admins/);
    expect(await sales.locator('#cycle-svg').count()).toBe(0);
    expect(await sales.evaluate(() => window.__csp)).toEqual([]);
    expect(pageProblems).toEqual([]);
  });
});

async function expectEventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
