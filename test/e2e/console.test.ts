/**
 * The approver console in a real browser: Debian's Chromium driven by playwright-core, against the real API
 * (listening on a loopback port), a real worker on the run's Temporal dev server and a temp SQLite file.
 *
 * One journey, in order: the integrator submits an order over the customer's credit limit; the finance approver
 * signs in (the page says who is signed in), finds the credit step in the inbox, opens the order and approves it;
 * the order moves on to final approval, which the page does not offer to finance (segregation of duties) nor to a
 * sales approver (another department); a decision that lost a race shows the API's refusal; management decides on
 * a phone-sized screen, with the findings above the buttons.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_POLICY, parsePolicy } from '../../domain/policy';
import {
  type ConsoleProduct,
  creditOrder,
  expectAbove,
  expectText,
  inboxRow,
  noHorizontalScroll,
  PHONE,
  ROOT,
  screenshot,
  signIn as signInAt,
  startConsoleProduct,
  waitForOrder as waitFor,
} from './harness';

/** Browser globals inside page.evaluate callbacks (the project compiles without the DOM lib). */
declare const document: any;
declare const sessionStorage: any;
declare const window: any;

/** Credit steps escalate after this, so the inbox shows escalated next to fresh steps (other timers: built-in). */
const CREDIT_ESCALATES_AFTER_S = 10;

describe('approver console (Chromium)', () => {
  let p: ConsoleProduct;
  let baseUrl: string;
  const tokens = { shop: '', finance: '', finance2: '', sales: '', management: '', auditor: '' };
  const run = randomUUID().slice(0, 6);
  const orderId = `E2E-${run}-1`;
  const backgroundOrders = [`E2E-${run}-urgent`, `E2E-${run}-older`];

  const apiAs = (token: string, method: string, url: string, body?: unknown) => p.api(token, method, url, body);
  const orderBody = (id: string, quantity: number, priority: 'normal' | 'urgent' = 'normal') => creditOrder(id, quantity, { priority });
  const waitForOrder = (id: string, pred: (o: any) => boolean, what: string, timeoutMs = 30_000) => waitFor(p, tokens.shop, id, pred, what, timeoutMs);
  const newPage = (viewport?: { width: number; height: number }): Promise<Page> => p.newPage(viewport);
  const signIn = (page: Page, token: string) => signInAt(page, baseUrl, token);

  beforeAll(async () => {
    p = await startConsoleProduct({
      taskQueuePrefix: 'e2e-console',
      principals: {
        shop: ['Web shop', ['integrator']],
        'fin-1': ['Fiona Finance', ['approver:finance']],
        'fin-2': ['Frank Finance', ['approver:finance']],
        'sales-1': ['Sam Sales', ['approver:sales']],
        'mgmt-1': ['Maria Management', ['approver:management']],
        'audit-1': ['Avery Auditor', ['auditor']],
      },
      policy: parsePolicy({
        ...BUILT_IN_POLICY,
        steps: {
          ...BUILT_IN_POLICY.steps,
          credit: { reminderAfter: `${CREDIT_ESCALATES_AFTER_S / 2}s`, escalateAfter: `${CREDIT_ESCALATES_AFTER_S}s`, timeoutAfter: '2h', onTimeout: 'reject' },
        },
      }),
    });
    baseUrl = p.baseUrl;
    Object.assign(tokens, {
      shop: p.tokens.shop, finance: p.tokens['fin-1'], finance2: p.tokens['fin-2'], sales: p.tokens['sales-1'],
      management: p.tokens['mgmt-1'], auditor: p.tokens['audit-1'],
    });

    // Two orders already waiting for finance before the journey starts: one urgent, one that will be escalated.
    for (const [i, id] of backgroundOrders.entries()) {
      const res = await apiAs(tokens.shop, 'POST', '/v1/orders', orderBody(id, 20 + i * 20, i === 0 ? 'urgent' : 'normal'));
      expect(res.status, JSON.stringify(res.json)).toBe(201);
    }
  });

  afterAll(async () => {
    await p?.close();
  });

  it('serves the page, its ES modules, its stylesheet and a strict CSP from the API process', async () => {
    const page = await fetch(`${baseUrl}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('<script type="module" src="/console/main.js">');
    const modules = fs.readdirSync(path.join(ROOT, 'api/console/public')).filter((f) => f.endsWith('.js'));
    expect(modules).toEqual(expect.arrayContaining(['main.js', 'api.js', 'inbox.js', 'order-view.js', 'decide.js', 'permissions.js']));
    for (const file of modules) {
      const js = await fetch(`${baseUrl}/console/${file}`);
      expect(js.status, file).toBe(200);
      expect(js.headers.get('content-type'), file).toMatch(/javascript/);
      expect(js.headers.get('content-security-policy'), file).toMatch(/script-src 'self'/);
    }
    const css = await fetch(`${baseUrl}/console/console.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${baseUrl}/console/../package.json`)).status).toBe(404);
  });

  it('/ redirects to the console', async () => {
    const res = await fetch(`${baseUrl}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console');
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/console');
    await page.getByLabel('Bearer token').waitFor();
  });

  it('refuses an unknown token at sign-in', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/console`);
    await page.getByLabel('Bearer token').fill('not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.locator('#signin-error'), /Token not recognised/);
    expect(await page.locator('#workspace').isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('the integrator submits an order over the credit limit; it waits for finance', async () => {
    // Let the earlier orders pass their escalation time, so the inbox shows escalated and fresh steps side by side.
    for (const id of backgroundOrders) {
      await waitForOrder(id, (o) => o.steps.some((s: any) => s.step === 'credit' && s.escalated), 'credit escalated', 30_000);
    }
    const res = await apiAs(tokens.shop, 'POST', '/v1/orders', orderBody(orderId, 100));
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const order = await waitForOrder(orderId, (o) => o.awaiting.includes('credit'), 'credit awaiting');
    const credit = order.steps.find((s: any) => s.step === 'credit');
    expect(credit.findings.map((f: any) => f.code)).toContain('CREDIT_LIMIT_EXCEEDED');
  });

  let finance: Page;

  it('the finance approver signs in and finds the credit step in the inbox, most urgent first', async () => {
    finance = await newPage();
    await signIn(finance, tokens.finance);
    // Who is signed in, from GET /v1/me.
    await expectText(finance.locator('#session-label'), /Signed in as Fiona Finance · finance approver/);
    expect(await finance.locator('#session-label').getAttribute('title')).toMatch(/^fin-1: approver:finance$/);
    const row = inboxRow(finance, orderId, 'credit');
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('Credit');
    expect(text).toContain('C-SMALL');
    expect(text).toContain('1250.00');
    expect(text).toMatch(/\d+ min|<1 min/); // time waiting
    // The API's order: the urgent order first; the escalated one is marked.
    const keys = await finance.locator('#inbox-body a[data-key]').evaluateAll((as) => as.map((a: any) => a.dataset.key));
    expect(keys[0]).toBe(`${backgroundOrders[0]}/credit`);
    expect(keys).toEqual(expect.arrayContaining([`${orderId}/credit`, `${backgroundOrders[1]}/credit`]));
    await expectText(inboxRow(finance, backgroundOrders[1]!, 'credit'), /Escalated/);
    await expectText(inboxRow(finance, backgroundOrders[0]!, 'credit'), /Urgent/);
    expect(await finance.evaluate(() => Object.keys(sessionStorage))).toEqual(['order-review.console.token']);
    await screenshot(finance, 'inbox-desktop'); // the README's inbox: approvers-tools.test.ts
  });

  it('opens the order: stage plan from its policy, the finding above the decision buttons, risk; no audit trail for approvers', async () => {
    await inboxRow(finance, orderId, 'credit').getByRole('link').click();
    await finance.locator('#order-title').waitFor();
    expect(await finance.locator('#order-title').innerText()).toBe(`Order ${orderId}`);
    const plan = finance.locator('#stage-plan');
    await plan.waitFor();
    expect(await plan.locator('[data-step]').evaluateAll((els) => els.map((e: any) => e.dataset.step))).toEqual([
      'intake', 'info_check', 'credit', 'capacity', 'materials', 'special_requirements', 'final_approval',
    ]);
    await expectText(plan.locator('[data-step="credit"]'), /Awaiting decision/);
    await expectText(plan.locator('[data-step="info_check"]'), /Auto-approved/);
    await expectText(plan.locator('[data-step="final_approval"]'), /Pending/);
    await expectText(finance.locator('#waiting-summary'), /Waiting for Finance \(credit\)/);
    const creditStep = finance.locator('#step-credit');
    await expectText(creditStep, /CREDIT_LIMIT_EXCEEDED/);
    expect(await finance.locator('#risk-score').innerText()).toMatch(/^\d+ \/ 100$/);
    expect(await finance.locator('.lines tfoot').innerText()).toContain('1250.00');
    expect(await finance.locator('#decision-step').inputValue()).toBe('credit');
    // The stage plan is the order's own (GET /v1/orders/{id} → stages), drawn stage by stage.
    const order = await apiAs(tokens.finance, 'GET', `/v1/orders/${orderId}`);
    const drawn = await plan.locator('li.stage').evaluateAll((stages) => stages.map((st: any) => [...st.querySelectorAll('[data-step]')].map((n: any) => n.dataset.step)));
    expect(drawn).toEqual(order.json.stages);
    // Why the step waits stands above the buttons.
    await expectText(finance.locator('#decision-why'), /CREDIT_LIMIT_EXCEEDED/);
    await expectAbove(finance.locator('#decision-findings'), finance.getByRole('button', { name: /Approve/ }));
    // A reload (or a shared deep link) keeps the session of this tab and reopens the same order.
    await finance.reload();
    await expectText(finance.locator('#order-title'), new RegExp(`Order ${orderId}`));
    await expectText(finance.locator('#step-credit'), /CREDIT_LIMIT_EXCEEDED/);
    // Approvers may not read the audit trail (403): the section stays hidden instead of showing an error.
    await finance.waitForTimeout(300);
    expect(await finance.locator('#audit').isVisible()).toBe(false);
    await screenshot(finance, 'order-awaiting-credit', 'console-order.png');
  });

  it('will not reject without a comment', async () => {
    await finance.getByRole('button', { name: /Reject/ }).click();
    await expectText(finance.locator('#decision-comment-error'), /comment is required to reject/);
    expect(await finance.locator('#decision-comment').getAttribute('aria-invalid')).toBe('true');
    // Nothing was sent: the step still waits.
    const order = await apiAs(tokens.shop, 'GET', `/v1/orders/${orderId}`);
    expect(order.json.awaiting).toContain('credit');
  });

  it('approves with a comment, from the keyboard; the step leaves the inbox and the order moves on', async () => {
    await finance.getByLabel(/^Comment/).fill('Customer prepaid 50%; exposure accepted.');
    await finance.keyboard.press('Tab'); // the Approve button comes right after the comment
    expect(await finance.evaluate(() => document.activeElement?.value)).toBe('approve');
    await finance.keyboard.press('Enter');

    await expectText(finance.locator('#flash'), new RegExp(`You approved the credit step of order ${orderId}`));
    await inboxRow(finance, orderId, 'credit').waitFor({ state: 'detached' });
    await expectText(finance.locator('#stage-plan [data-step="credit"]'), /Approved/);
    await expectText(finance.locator('#step-credit .decision-made'), /Approved by fin-1.*Customer prepaid 50%/s);
    // The workflow goes on by itself: final approval now waits for management, and the page shows it.
    await finance.locator('#stage-plan [data-step="final_approval"][data-status="awaiting_decision"]').waitFor({ timeout: 20_000 });
    await expectText(finance.locator('#waiting-summary'), /Waiting for Management \(final approval\)/);
    const order = await apiAs(tokens.shop, 'GET', `/v1/orders/${orderId}`);
    expect(order.json.awaiting).toEqual(['final_approval']);
    expect(order.json.steps.find((s: any) => s.step === 'credit').decision).toMatchObject({ decision: 'approve', by: 'fin-1' });
    await screenshot(finance, 'order-after-credit-approved');
  });

  it('finance, after approving credit, is offered no other step', async () => {
    // Final approval awaits (see above), and it is not finance's: no form, no button that could only fail.
    await expectText(finance.locator('#decision'), /Nothing for you to decide.*Final approval waits for Management\./s);
    expect(await finance.locator('#decision-form').count()).toBe(0);
    expect(await finance.getByRole('button', { name: /Approve|Reject|Request changes/ }).count()).toBe(0);
    // Still so after the next refresh.
    await finance.waitForTimeout(5_500);
    expect(await finance.getByRole('button', { name: /Approve|Reject|Request changes/ }).count()).toBe(0);
  });

  it('a sales approver opening the order is offered nothing, and told who decides', async () => {
    const sales = await newPage();
    await signIn(sales, tokens.sales);
    await expectText(sales.locator('#session-label'), /Sam Sales · sales approver/);
    await expectText(sales.locator('#inbox-body'), /Nothing awaits your decision/);
    await sales.getByLabel('Open an order by id').fill(orderId);
    await sales.getByRole('button', { name: 'Open' }).click();
    await sales.locator('#stage-plan').waitFor();
    await expectText(sales.locator('#decision-notes'), /Final approval waits for Management\./);
    expect(await sales.locator('#decision-form').count()).toBe(0);
    const order = await apiAs(tokens.shop, 'GET', `/v1/orders/${orderId}`);
    expect(order.json.awaiting).toEqual(['final_approval']);
    await screenshot(sales, 'order-nothing-for-sales');

    // Signing out forgets the token.
    await sales.getByRole('button', { name: 'Sign out' }).click();
    await sales.locator('#signin').waitFor({ state: 'visible' });
    expect(await sales.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('a decision that lost a race is refused with the reason, and the page shows where the order is now', async () => {
    const raceId = `E2E-${run}-race`;
    expect((await apiAs(tokens.shop, 'POST', '/v1/orders', orderBody(raceId, 30))).status).toBe(201);
    await waitForOrder(raceId, (o) => o.awaiting.includes('credit'), 'credit awaiting');
    await finance.goto(`${baseUrl}/console#/orders/${raceId}`);
    await expectText(finance.locator('#decision-why'), /CREDIT_LIMIT_EXCEEDED/);
    // Hold the page's refreshes of this order, so it still offers the step when the colleague has decided it.
    const orderUrl = `${baseUrl}/v1/orders/${raceId}`;
    await finance.route(orderUrl, (route) => (route.request().method() === 'GET' ? route.abort() : route.continue()));
    const colleague = await apiAs(tokens.finance2, 'POST', `/v1/orders/${raceId}/steps/credit/decision`, { decision: 'approve', comment: 'checked' });
    expect(colleague.status, JSON.stringify(colleague.json)).toBe(200);

    await finance.getByRole('button', { name: /Approve/ }).click();
    await expectText(finance.locator('#flash'), /Already decided: step credit was already decided \(approve\) by fin-2/);
    await finance.unroute(orderUrl);
    await finance.locator('#stage-plan [data-step="credit"][data-status="approved"]').waitFor({ timeout: 10_000 });
    await expectText(finance.locator('#step-credit .decision-made'), /Approved by fin-2/);
    const order = await apiAs(tokens.shop, 'GET', `/v1/orders/${raceId}`);
    expect(order.json.steps.find((s: any) => s.step === 'credit').decision).toMatchObject({ by: 'fin-2' });
  });

  it('on a phone-sized screen: the inbox fits without horizontal scrolling, and management decides', async () => {
    const phone = await newPage(PHONE);
    await signIn(phone, tokens.management);
    // Management's own final approval, and the escalated credit steps it may now decide too.
    const row = inboxRow(phone, orderId, 'final_approval');
    await row.waitFor();
    await expectText(inboxRow(phone, backgroundOrders[1]!, 'credit'), /Escalated/);
    expect(await noHorizontalScroll(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'inbox-phone');

    await row.getByRole('link').click();
    await phone.locator('#stage-plan').waitFor();
    expect(await phone.locator('#inbox').isVisible()).toBe(false); // one pane at a time on a phone
    expect(await noHorizontalScroll(phone)).toBeLessThanOrEqual(0);
    // The finding that explains the wait is on the first screen, above the buttons.
    const finding = phone.locator('#decision-findings');
    await expectText(finding, /MANUAL_DECISIONS_EARLIER/);
    await expectAbove(finding, phone.getByRole('button', { name: /Approve/ }));
    const box = await finding.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
    expect(await phone.evaluate(() => window.scrollY)).toBe(0);
    await screenshot(phone, 'order-phone', undefined, { screen: true }); // the README's: approvers-tools.test.ts
    await phone.getByLabel(/^Comment/).fill('Approved for production.');
    await phone.getByRole('button', { name: /Approve/ }).click();
    await expectText(phone.locator('#order-status'), /Approved/, 20_000);
    await expectText(phone.locator('#order-outcome'), /Approved/);
    expect(await noHorizontalScroll(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'order-approved-phone');

    await phone.getByRole('link', { name: /Back to inbox/ }).click();
    await phone.locator('#inbox').waitFor({ state: 'visible' });
    expect(await inboxRow(phone, orderId, 'final_approval').count()).toBe(0);
  });

  it('an auditor (no inbox) opens the finished order and reads its audit trail', async () => {
    const page = await newPage();
    await signIn(page, tokens.auditor);
    await expectText(page.locator('#session-label'), /Avery Auditor · auditor/);
    await expectText(page.locator('#inbox-note'), /Your role has no inbox/);
    await page.goto(`${baseUrl}/console#/orders/${orderId}`);
    await expectText(page.locator('#order-status'), /Approved/);
    expect(await page.locator('#decision-form').count()).toBe(0); // finished: nothing to decide
    const audit = page.locator('#audit');
    await audit.waitFor({ state: 'visible' });
    await expectText(audit, /decision.*fin-1/s);
    await expectText(audit, /decision.*mgmt-1/s);
    // The race the finance approver lost (above) is in the other order's trail, with who tried.
    await page.goto(`${baseUrl}/console#/orders/E2E-${run}-race`);
    await expectText(page.locator('#audit'), /decision refused.*fin-1/s);
    await screenshot(page, 'order-audit-auditor');
  });

  it('the page raised no script errors and no CSP violations', () => {
    expect(p.pageProblems).toEqual([]);
  });
});
