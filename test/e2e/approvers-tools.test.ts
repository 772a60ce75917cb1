/**
 * Approvers' tools in the console (contract section 12), in Chromium against the real product (test/e2e/harness.ts):
 * the inbox row's reason, customer, currency, priority reasons and claimer; bulk approval with per-row results; a
 * claim that makes a colleague's decision fail with 409 naming the claimer, then a hand-over; a delegate deciding on
 * behalf of an away colleague, with the audit showing both; management filtering the orders list and downloading it.
 *
 * `SCREENSHOTS=1` (or UPDATE_DOCS=1) also writes the README's pictures (docs/console-inbox.png,
 * docs/console-order-phone.png).
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleProduct,
  creditOrder,
  expectAbove,
  expectText,
  inboxRow,
  noHorizontalScroll,
  PHONE,
  screenshot,
  signIn,
  startConsoleProduct,
  waitForOrder,
} from './harness';

describe("approvers' tools in the console (Chromium)", () => {
  let p: ConsoleProduct;
  const run = randomUUID().slice(0, 6);
  const id = (name: string) => `AT-${run}-${name}`;

  beforeAll(async () => {
    p = await startConsoleProduct({
      taskQueuePrefix: 'e2e-approvers',
      principals: {
        shop: ['Web shop', ['integrator']],
        'fin-1': ['Fiona Finance', ['approver:finance']],
        'fin-2': ['Frank Finance', ['approver:finance']],
        'prod-1': ['Pat Production', ['approver:production']],
        'mgmt-1': ['Maria Management', ['approver:management']],
        'audit-1': ['Avery Auditor', ['auditor']],
      },
    });
  });
  afterAll(async () => {
    await p?.close();
  });

  const t = (who: string) => p.tokens[who]!;
  /** Submits orders over C-SMALL's limit and waits until each waits for finance. */
  async function awaitingCredit(ids: string[], quantity = 40, extra: Record<string, unknown> = {}): Promise<void> {
    for (const orderId of ids) {
      const res = await p.api(t('shop'), 'POST', '/v1/orders', creditOrder(orderId, quantity, extra));
      expect(res.status, JSON.stringify(res.json)).toBe(201);
    }
    for (const orderId of ids) await waitForOrder(p, t('shop'), orderId, (o) => o.awaiting.includes('credit'), 'credit awaiting');
  }
  const credit = async (orderId: string) => (await p.api(t('audit-1'), 'GET', `/v1/orders/${orderId}`)).json.steps.find((s: any) => s.step === 'credit');

  it('bulk: three ticked rows approved with one comment, the refused fourth listed with why; rows say why, whose, how much, who claimed', async () => {
    const batch = [id('b1'), id('b2'), id('b3')];
    const held = id('b-held');
    await awaitingCredit([batch[0]!, held]);
    await awaitingCredit([batch[1]!], 40, { priority: 'urgent' });
    await awaitingCredit([batch[2]!], 960);
    // A colleague holds the fourth: in the batch it is refused on its own (409), the others go through.
    expect((await p.api(t('fin-2'), 'POST', `/v1/orders/${held}/steps/credit/claim`)).status).toBe(200);

    const page = await p.newPage();
    await signIn(page, p.baseUrl, t('fin-1'));
    const row = inboxRow(page, batch[0]!, 'credit');
    await row.waitFor();
    // The row in a few words: the reason (the finding), the customer's name, the amount with its currency, why it ranks.
    await expectText(row.locator('.c-step .reason'), /^Credit limit exceeded$/);
    await expectText(row.locator('.c-customer'), /Small Credit/);
    await expectText(row.locator('.c-total'), /^500\.00 CNY$/);
    await expectText(row.locator('.c-priority .priority-reasons'), /due in \d+ h/);
    await expectText(row.locator('.c-claim'), /Unclaimed/);
    await expectText(inboxRow(page, held, 'credit').locator('.c-claim'), /Claimed by Frank Finance \(fin-2\)/);

    await expectText(inboxRow(page, batch[1]!, 'credit').locator('.c-priority'), /Urgent\s*urgent order · due in \d+ h/);
    await expectText(inboxRow(page, batch[2]!, 'credit').locator('.c-total'), /^12000\.00 CNY$/);
    await expectText(inboxRow(page, batch[2]!, 'credit').locator('.c-priority'), /high value: 12000\.00 CNY/);

    for (const orderId of [...batch, held]) await inboxRow(page, orderId, 'credit').getByRole('checkbox').check();
    await expectText(page.locator('#bulk-count'), /^4 steps selected$/);
    await page.getByLabel(/One comment for every selected step/).fill('Prepaid; batch ok.');
    await screenshot(page, 'inbox-bulk-selected', 'console-inbox.png');
    await page.getByLabel(/One comment for every selected step/).fill('');
    // Reject needs a comment; nothing is sent without one.
    await page.getByRole('button', { name: /Reject selected/ }).click();
    await expectText(page.locator('#bulk-comment-error'), /comment is required to reject/);
    expect((await credit(batch[0]!)).status).toBe('awaiting_decision');

    await page.getByLabel(/One comment for every selected step/).fill('Prepaid; batch ok.');
    await page.getByRole('button', { name: /Approve selected/ }).click();
    const results = page.locator('#bulk-results');
    await results.waitFor({ state: 'visible' });
    for (const orderId of batch) await expectText(results.locator(`li[data-key="${orderId}/credit"]`), /approved/);
    const refused = results.locator(`li[data-key="${held}/credit"]`);
    expect(await refused.getAttribute('data-status')).toBe('409');
    await expectText(refused, /409 — Claimed by a colleague: step credit is claimed by Frank Finance \(fin-2\)/);
    await expectText(page.locator('#flash'), /3 of 4 approved; 1 refused/);
    // Decided rows leave the inbox; the refused one stays, still ticked.
    for (const orderId of batch) await inboxRow(page, orderId, 'credit').waitFor({ state: 'detached' });
    expect(await inboxRow(page, held, 'credit').getByRole('checkbox').isChecked()).toBe(true);
    await expectText(page.locator('#bulk-count'), /^1 step selected$/);

    for (const orderId of batch) expect((await credit(orderId)).decision).toMatchObject({ decision: 'approve', by: 'fin-1', comment: 'Prepaid; batch ok.' });
    expect(await credit(held)).toMatchObject({ status: 'awaiting_decision', claimedBy: 'fin-2', decision: null });
    await screenshot(page, 'inbox-bulk-result');
  });

  it("a claim by one approver makes the other's decision fail with 409 naming the claimer; a hand-over gives it back", async () => {
    const orderId = id('claim');
    await awaitingCredit([orderId]);
    const fiona = await p.newPage();
    await signIn(fiona, p.baseUrl, t('fin-1'));
    await fiona.goto(`${p.baseUrl}/console#/orders/${orderId}?step=credit`);
    await expectText(fiona.locator('#decision-why'), /CREDIT_LIMIT_EXCEEDED/);
    await expectText(fiona.locator('#claim-status'), /Nobody has claimed this step/);
    // Fiona's page keeps its view of the order (its refreshes are held) while Frank claims the step in his console.
    const orderUrl = `${p.baseUrl}/v1/orders/${orderId}`;
    await fiona.route(orderUrl, (route) => (route.request().method() === 'GET' ? route.abort() : route.continue()));

    const frank = await p.newPage();
    await signIn(frank, p.baseUrl, t('fin-2'));
    const frankRow = inboxRow(frank, orderId, 'credit');
    await frankRow.getByRole('button', { name: `Claim ${orderId} Credit` }).click();
    await expectText(frankRow.locator('.c-claim'), /Claimed by you/);
    expect((await credit(orderId)).claimedBy).toBe('fin-2');

    await fiona.getByLabel(/^Comment/).fill('Looks fine.');
    await fiona.getByRole('button', { name: /Approve/ }).click();
    await expectText(fiona.locator('#flash'), /Claimed by a colleague: step credit is claimed by Frank Finance \(fin-2\) since/);
    expect(await credit(orderId)).toMatchObject({ status: 'awaiting_decision', decision: null, claimedBy: 'fin-2' });
    // Once the page sees the claim, it offers Fiona no button that can only fail, and says who holds the step.
    await fiona.unroute(orderUrl);
    await expectText(fiona.locator('#decision-notes'), /Credit is claimed by fin-2/, 10_000);
    expect(await fiona.locator('#decision-form').count()).toBe(0);
    await expectText(fiona.locator('#stage-plan [data-step="credit"]'), /claimed by Frank Finance \(fin-2\)/);

    // Frank hands it to Fiona from the order view (the picker lists finance's approvers); she decides it now.
    await frank.goto(`${p.baseUrl}/console#/orders/${orderId}?step=credit`);
    await expectText(frank.locator('#claim-status'), /Claimed by you/);
    const picker = frank.locator('#assign-to');
    await expect.poll(() => picker.locator('option').allInnerTexts()).toEqual(['Choose a colleague', 'Fiona Finance (fin-1)']);
    await picker.selectOption('fin-1');
    await frank.getByRole('button', { name: 'Hand over' }).click();
    await expectText(frank.locator('#flash'), /You handed to Fiona Finance \(fin-1\) the credit step/);
    expect((await credit(orderId)).claimedBy).toBe('fin-1');

    await fiona.reload();
    await expectText(fiona.locator('#claim-status'), /Claimed by you/);
    await fiona.getByRole('button', { name: /Approve/ }).click();
    await expectText(fiona.locator('#flash'), new RegExp(`You approved the credit step of order ${orderId}`));
    expect((await credit(orderId)).decision).toMatchObject({ decision: 'approve', by: 'fin-1' });
  });

  it('a delegate decides on behalf of an away colleague; the decision and the audit trail show both', async () => {
    const orderId = id('away');
    await awaitingCredit([orderId]);
    // Pat (production) does not decide credit: nothing in the inbox for it.
    const pat = await p.newPage();
    await signIn(pat, p.baseUrl, t('prod-1'));
    await expectText(pat.locator('#inbox-body'), /Nothing awaits your decision/);

    // Frank marks himself away in the Me panel and names Pat.
    const frank = await p.newPage();
    await signIn(frank, p.baseUrl, t('fin-2'));
    await frank.getByRole('link', { name: 'Me' }).click();
    await frank.getByLabel('Delegate (principal id)').fill('prod-1');
    await frank.getByRole('button', { name: 'Mark me away' }).click();
    await expectText(frank.locator('#away-status'), /Pat Production \(prod-1\) sees and decides your finance steps/);
    const me = (await p.api(t('fin-2'), 'GET', '/v1/me')).json;
    expect(me.delegations).toEqual([expect.objectContaining({ from: 'fin-2', to: 'prod-1', departments: ['finance'] })]);
    expect(Date.parse(me.delegations[0].until)).toBeGreaterThan(Date.now() + 3_600_000);
    await screenshot(frank, 'me-away');

    // Pat's inbox now holds Frank's finance step, marked as his; Pat decides it on his behalf.
    await pat.getByRole('button', { name: 'Refresh' }).click();
    const row = inboxRow(pat, orderId, 'credit');
    await row.waitFor();
    await expectText(row, /for fin-2/);
    await row.getByRole('link').click();
    await expectText(pat.locator('#decision-step-name'), /Credit \(finance, on behalf of Frank Finance \(fin-2\)\)/);
    await pat.getByLabel(/^Comment/).fill('Covering for Frank.');
    await pat.getByRole('button', { name: /Approve/ }).click();
    await expectText(pat.locator('#flash'), new RegExp(`You approved the credit step of order ${orderId}`));
    await expectText(pat.locator('#step-credit .decision-made'), /Approved by prod-1 on behalf of fin-2/);
    expect((await credit(orderId)).decision).toMatchObject({ decision: 'approve', by: 'prod-1', onBehalfOf: 'fin-2', comment: 'Covering for Frank.' });

    // The auditor reads both people in the trail.
    const auditor = await p.newPage();
    await signIn(auditor, p.baseUrl, t('audit-1'));
    await auditor.goto(`${p.baseUrl}/console#/orders/${orderId}`);
    await expectText(auditor.locator('#audit'), /decision · Credit · prod-1\s*decided by prod-1 on behalf of fin-2/);
    await screenshot(auditor, 'audit-on-behalf');

    // Frank is back: the delegation ends, and Pat no longer sees finance's steps.
    await frank.getByRole('button', { name: /I'm back/ }).click();
    await frank.locator('#away-form').waitFor();
    expect((await p.api(t('fin-2'), 'GET', '/v1/me')).json.delegations).toEqual([]);
    const next = id('after');
    await awaitingCredit([next]);
    await pat.goto(`${p.baseUrl}/console#/`);
    await expectText(pat.locator('#inbox-body'), /Nothing awaits your decision/);
  });

  it('management filters the orders list (status, customer, awaiting, priority, channel, escalated, dates, totals) and downloads it as CSV', async () => {
    const [big, small, web, clean] = [id('f-big'), id('f-small'), id('f-web'), id('f-clean')];
    await awaitingCredit([big], 40, { channel: 'partner', priority: 'urgent' });
    await awaitingCredit([small], 10, { channel: 'partner' });
    await awaitingCredit([web], 40, { channel: 'web', priority: 'urgent' });
    expect((await p.api(t('shop'), 'POST', '/v1/orders', creditOrder(clean, 10, { customerId: 'C-OK', channel: 'partner' }))).status).toBe(201);

    const page = await p.newPage();
    await signIn(page, p.baseUrl, t('mgmt-1'));
    await page.getByRole('link', { name: 'Orders' }).click();
    await page.locator('#orders-filter').waitFor();
    const shown = () => page.locator('#orders-table tbody tr').evaluateAll((rows) => rows.map((r: any) => r.dataset.orderId));
    await expect.poll(shown).toEqual(expect.arrayContaining([big, small, web, clean]));

    await page.getByLabel('Status').selectOption('in_review');
    await page.getByLabel('Customer id').fill('C-SMALL');
    await page.getByLabel('Awaiting').selectOption('finance');
    await page.getByLabel('Channel').selectOption('partner');
    await page.getByLabel('Priority').selectOption('urgent');
    await page.getByLabel('Escalated').selectOption('false');
    await page.getByLabel('Submitted from').fill(new Date().toISOString().slice(0, 10));
    await page.getByLabel('Submitted to').fill(new Date().toISOString().slice(0, 10));
    await page.getByLabel('Min total').fill('300');
    await page.getByLabel('Max total').fill('600.00');
    const asked = page.waitForRequest((r) => r.url().includes('/v1/orders?'));
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(shown).toEqual([big]);
    // Every filter reaches the API, as GET /v1/orders names it.
    const day = new Date().toISOString().slice(0, 10);
    const expected = { status: 'in_review', customerId: 'C-SMALL', awaiting: 'finance', priority: 'urgent', channel: 'partner', escalated: 'false', submittedFrom: day, submittedTo: day, minTotal: '300', maxTotal: '600.00' };
    expect(Object.fromEntries(new URL((await asked).url()).searchParams)).toEqual({ ...expected, limit: '50' });
    // The filters are in the address: a reload (or a shared link) shows the same list, form filled in.
    expect(Object.fromEntries(new URLSearchParams(new URL(page.url()).hash.replace(/^#\/orders\?/, '')))).toEqual(expected);
    await page.reload();
    await expect.poll(shown).toEqual([big]);
    expect(await page.getByLabel('Channel').inputValue()).toBe('partner');
    await expectText(page.locator(`#orders-table tr[data-order-id="${big}"]`), /In review.*C-SMALL.*partner.*500\.00.*Urgent.*Credit/s);
    // The same query through the API answers the same orders.
    const q = new URL(page.url()).hash.replace(/^#\/orders\?/, '');
    expect((await p.api(t('mgmt-1'), 'GET', `/v1/orders?${q}`)).json.items.map((o: any) => o.orderId)).toEqual([big]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download CSV/ }).click()]);
    expect(download.suggestedFilename()).toBe('orders.csv');
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^orderId,status,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([big]);

    // Each of the other filters narrows it too: a lower maximum, an earlier end, escalated only.
    /** Sets one filter, filters, and returns the list shown; then puts the filter back. */
    const narrowed = async (label: string, value: string, back: string, select = false) => {
      const el = page.getByLabel(label);
      await (select ? el.selectOption(value) : el.fill(value));
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('#orders-empty').waitFor();
      await (select ? el.selectOption(back) : el.fill(back));
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect.poll(shown).toEqual([big]);
    };
    await narrowed('Max total', '400', '600.00');
    await narrowed('Submitted to', new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), day);
    await narrowed('Escalated', 'true', 'false', true);
    await narrowed('Status', 'approved', 'in_review', true);

    // One filter less widens the list; a bad bound is the API's field error, shown as such.
    await page.getByLabel('Priority').selectOption('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(shown).toEqual([big]); // small is below the minimum total
    await page.getByLabel('Min total').fill('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(async () => (await shown()).sort()).toEqual([big, small].sort());
    await page.getByLabel('Min total').fill('12,5');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expectText(page.locator('#orders-error'), /minTotal/);
    expect(await page.locator('#orders-count').innerText()).toBe('');
    await screenshot(page, 'orders-list');
  });

  it('on a phone: the inbox cards show claim and reason without horizontal scrolling; the order view keeps the finding above the buttons', async () => {
    const orderId = id('phone');
    await awaitingCredit([orderId]);
    const phone = await p.newPage(PHONE);
    await signIn(phone, p.baseUrl, t('fin-1'));
    const row = inboxRow(phone, orderId, 'credit');
    await row.waitFor();
    await expectText(row, /Credit limit exceeded/);
    expect(await noHorizontalScroll(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'inbox-phone-tools');
    await row.getByRole('button', { name: `Claim ${orderId} Credit` }).click();
    await expectText(row.locator('.c-claim'), /Claimed by you/);
    await row.getByRole('link').click();
    await phone.locator('#stage-plan').waitFor();
    const finding = phone.locator('#decision-findings');
    await expectText(finding, /CREDIT_LIMIT_EXCEEDED/);
    await expectAbove(finding, phone.getByRole('button', { name: /Approve/ }));
    const box = await finding.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
    expect(await noHorizontalScroll(phone)).toBeLessThanOrEqual(0);
    await expectText(phone.locator('#claim-status'), /Claimed by you/);
    await screenshot(phone, 'order-phone-tools', 'console-order-phone.png', { screen: true });
  });

  it('the pages raised no script errors and no CSP violations', () => {
    expect(p.pageProblems).toEqual([]);
  });
});
