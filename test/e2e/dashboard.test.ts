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
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRate, formatSeconds, periodDates } from '../../api/console/public/dashboard-data.js';
import { BUILT_IN_POLICY, parsePolicy } from '../../domain/policy';
import { type ConsoleProduct, creditOrder, PHONE, screenshot, signIn as signInAt, startConsoleProduct, waitForOrder as waitFor } from './harness';

/** Browser globals inside page.evaluate callbacks (the project compiles without the DOM lib). */
declare const document: any;
declare const window: any;

describe('dashboard (Chromium)', () => {
  let product: ConsoleProduct;
  const tokens = { shop: '', finance: '', management: '', management2: '', sales: '', auditor: '' };
  const run = randomUUID().slice(0, 6);
  const ids = { touchless: `DASH-${run}-touchless`, decided: `DASH-${run}-decided`, timedOut: `DASH-${run}-timeout` };

  const apiAs = (token: string, method: string, url: string, body?: unknown) => product.api(token, method, url, body);
  const waitForOrder = (id: string, pred: (o: any) => boolean, what: string) => waitFor(product, tokens.shop, id, pred, what);
  const newPage = (viewport?: { width: number; height: number }) => product.newPage(viewport);
  const signIn = (page: Parameters<typeof signInAt>[0], token: string) => signInAt(page, product.baseUrl, token);

  beforeAll(async () => {
    // Every human step reminds after 1 s, escalates after 2 s and rejects after 4 s without a decision.
    const steps = Object.fromEntries(
      Object.keys(BUILT_IN_POLICY.steps).map((k) => [k, { reminderAfter: '1s', escalateAfter: '2s', timeoutAfter: '4s', onTimeout: 'reject' }]),
    );
    product = await startConsoleProduct({
      taskQueuePrefix: 'e2e-dashboard',
      policy: parsePolicy({ ...BUILT_IN_POLICY, steps }),
      principals: {
        shop: ['Web shop', ['integrator']],
        'fin-1': ['Fiona Finance', ['approver:finance']],
        'mgmt-1': ['Maria Management', ['approver:management']],
        'mgmt-2': ['Max Management', ['approver:management']],
        'sales-1': ['Sam Sales', ['approver:sales']],
        'audit-1': ['Avery Auditor', ['auditor']],
      },
    });
    Object.assign(tokens, {
      shop: product.tokens.shop,
      finance: product.tokens['fin-1'],
      management: product.tokens['mgmt-1'],
      management2: product.tokens['mgmt-2'],
      sales: product.tokens['sales-1'],
      auditor: product.tokens['audit-1'],
    });

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
    await product?.close();
  });

  it('serves uPlot and its stylesheet from the product, under the console CSP', async () => {
    const baseUrl = product.baseUrl;
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

    await page.getByLabel('Period').selectOption('30');
    await page.locator('.chart canvas').nth(3).waitFor();
    // The README's picture changes only on purpose (UPDATE_DOCS=1).
    await screenshot(page, 'dashboard', 'dashboard.png');

    expect(await page.evaluate(() => window.__csp)).toEqual([]);
    expect(product.pageProblems).toEqual([]);
  });

  it('an auditor has the entry too (on a phone: the page does not scroll sideways); a sales approver has none and the API refuses it the data', async () => {
    const auditor = await newPage(PHONE);
    await signIn(auditor, tokens.auditor);
    await auditor.getByRole('link', { name: 'Dashboard' }).click();
    await auditor.locator('.chart canvas').nth(3).waitFor();
    // The cycle picture scrolls inside its own box; the page itself fits the screen.
    expect(await auditor.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await auditor.locator('#cycle-svg').isVisible()).toBe(true);
    await screenshot(auditor, 'dashboard-phone');

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
    expect(product.pageProblems).toEqual([]);
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
