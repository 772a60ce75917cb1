/**
 * The customer's tracking page in Chromium on a phone-sized screen: it renders with its own strict CSP (no script,
 * nothing blocked), fits the width, and says where the order stands.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanOrder, createTestApp, type TestApp } from '../helpers/app';
import { startReviewWorker } from '../helpers/review-worker';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';

declare const document: any;
declare const window: any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const DOCS = path.resolve(__dirname, '../../docs');

describe('tracking page (Chromium, phone)', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: { stop(): Promise<void> };
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await connectTestClient();
    ctx = await createTestApp({ temporal: t.client, taskQueue: uniqueTaskQueue('tracking-e2e') });
    worker = await startReviewWorker(ctx, t);
    base = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  it('fits a 390 px screen and shows the order approved, with its stages', async () => {
    const body = cleanOrder({ lines: [{ sku: 'BOX-1', quantity: 80, unitPrice: '12.50' }, { sku: 'BOX-2', quantity: 5, unitPrice: '34.00' }], declaredTotal: '1170.00' });
    const id = body.orderId as string;
    const headers = { ...ctx.auth('shop'), 'content-type': 'application/json' };
    expect((await fetch(`${base}/v1/orders`, { method: 'POST', headers, body: JSON.stringify(body) })).status).toBe(201);
    const { token } = (await (await fetch(`${base}/v1/orders/${id}/tracking-link`, { method: 'POST', headers: ctx.auth('shop') })).json()) as { token: string };
    const statusOf = async () => ((await (await fetch(`${base}/v1/track/${token}`)).json()) as { status: string }).status;
    await expect.poll(statusOf, { timeout: 20_000 }).toBe('approved');

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    const res = await page.goto(`${base}/track/${token}`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Order ${id}`);
    expect(await page.locator('.status strong').first().textContent()).toContain('approved');
    // Received and under review are done; approved is where the order is now; the rest is still to come.
    expect(await page.locator('li.done').allTextContents()).toEqual([expect.stringContaining('Received'), expect.stringContaining('Under review')]);
    expect(await page.locator('li.now').textContent()).toContain('Approved');
    expect(await page.locator('li:not(.done):not(.now)').count()).toBe(3);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    const shot = path.join(__dirname, 'artifacts', 'tracking-phone.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    const docsFile = path.join(DOCS, 'tracking-phone.png');
    if (process.env.UPDATE_DOCS === '1' || !fs.existsSync(docsFile)) fs.copyFileSync(shot, docsFile);
    await context.close();
  });
});
