/**
 * What the console's Chromium tests share: the product (the real API on a loopback port, a real worker on the run's
 * Temporal dev server, a temp SQLite file with the test world and principals), Debian's Chromium driven by
 * playwright-core, and the helpers a page test needs (sign in, wait for text, screenshots, API calls).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import { expect } from 'vitest';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { loadConfig } from '../../config';
import { closeDatabase, type Db, openDatabase } from '../../db/client';
import { createPrincipal } from '../../db/principals';
import { addDays } from '../../domain/dates';
import { BUILT_IN_POLICY, parsePolicy } from '../../domain/policy';
import type { ResolvedPolicy } from '../../domain/types';
import { seedTestWorld, today } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

/** Browser globals inside page.evaluate callbacks (the project compiles without the DOM lib). */
declare const document: any;
declare const window: any;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// No silent skip: a machine without Chromium fails here, saying how to get it (.ci/run installs it).
if (!fs.existsSync(CHROMIUM)) {
  throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
}

export const ROOT = path.resolve(__dirname, '../..');
export const ARTIFACTS = path.join(__dirname, 'artifacts');
export const DOCS = path.join(ROOT, 'docs');
/** Flags for a sandboxed, offline machine: no GPU, no calls home (they are refused here and slow the start). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
export const DESKTOP = { width: 1440, height: 1000 };
export const PHONE = { width: 390, height: 844 };

export interface ProductOptions {
  /** Principals to create: id → [name, roles]. Their tokens are in `tokens`. */
  principals: Record<string, [string, string[]]>;
  /** The review policy (default: the built-in one). */
  policy?: ResolvedPolicy;
  taskQueuePrefix: string;
}

export interface ConsoleProduct {
  baseUrl: string;
  db: Db;
  tokens: Record<string, string>;
  /** Uncaught page errors and CSP violations of every page opened: a console that throws or is blocked fails. */
  pageProblems: string[];
  api(token: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }>;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startConsoleProduct(opts: ProductOptions): Promise<ConsoleProduct> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.mkdirSync(DOCS, { recursive: true });
  const temporal: TestClient = await connectTestClient();
  const taskQueue = uniqueTaskQueue(opts.taskQueuePrefix);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-e2e-'));
  const config = loadConfig({ DATA_DIR: dataDir, TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' });
  const db = openDatabase(config.dbFile);
  seedTestWorld(db);
  const tokens: Record<string, string> = {};
  for (const [id, [name, roles]] of Object.entries(opts.principals)) tokens[id] = createPrincipal(db, { id, name, roles }).token;
  const worker: TestWorker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: temporal.connection });
  const app: FastifyInstance = await buildApp({ config, db, temporal: temporal.client, policy: opts.policy ?? parsePolicy(BUILT_IN_POLICY), sweeper: false });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];

  return {
    baseUrl,
    db,
    tokens,
    pageProblems,
    async api(token, method, url, body) {
      const res = await fetch(`${baseUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, json: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
    },
    async newPage(viewport = DESKTOP) {
      const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC', acceptDownloads: true });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        // Failed fetches (401 on a wrong token, 403/409 answers) are logged by Chromium too: expected here.
        if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageProblems.push(`console: ${msg.text()}`);
      });
      // CSP violations as the page sees them, in `window.__csp` (Chromium also logs them as console errors).
      await page.addInitScript(() => {
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e: any) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await app.close();
      await worker.stop();
      await temporal.connection.close();
      closeDatabase(db);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An order for C-SMALL (a 100.00 credit limit): every one of these exceeds it and waits for finance. */
export function creditOrder(id: string, quantity: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId: id,
    customerId: 'C-SMALL',
    channel: 'web',
    currency: 'CNY',
    requestedDeliveryDate: addDays(today(), 30),
    paymentTerms: 'NET30',
    priority: 'normal',
    lines: [{ sku: 'BOX', quantity, unitPrice: '12.50' }],
    declaredTotal: (quantity * 12.5).toFixed(2),
    ...extra,
  };
}

export async function waitForOrder(product: ConsoleProduct, token: string, id: string, pred: (o: any) => boolean, what: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await product.api(token, 'GET', `/v1/orders/${id}`);
    last = res.json;
    if (res.status === 200 && pred(res.json)) return res.json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`order ${id}: timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}

export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#workspace').waitFor({ state: 'visible' });
}

export function inboxRow(page: Page, id: string, step: string): Locator {
  return page.locator('#inbox-body tbody tr', { has: page.locator(`a[data-key="${id}/${step}"]`) });
}

/**
 * A full-page picture (it ends where the content does), or with `screen` only what the viewport shows. The README's
 * pictures (`docsName`) change only on purpose — UPDATE_DOCS=1 (or SCREENSHOTS=1) — not with every run's fresh ids.
 */
export async function screenshot(page: Page, name: string, docsName?: string, { screen = false } = {}): Promise<void> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  const viewport = page.viewportSize();
  if (screen) {
    await page.screenshot({ path: file });
  } else {
    if (viewport) await page.setViewportSize({ width: viewport.width, height: 480 });
    await page.screenshot({ path: file, fullPage: true });
    if (viewport) await page.setViewportSize(viewport);
  }
  const update = process.env.UPDATE_DOCS === '1' || process.env.SCREENSHOTS === '1';
  const docsFile = docsName && path.join(DOCS, docsName);
  if (docsFile && (update || !fs.existsSync(docsFile))) fs.copyFileSync(file, docsFile);
}

export async function noHorizontalScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Asserts that `upper` ends above where `lower` starts on the page (both visible). */
export async function expectAbove(upper: Locator, lower: Locator): Promise<void> {
  const [a, b] = [await upper.boundingBox(), await lower.boundingBox()];
  expect(a, `${String(upper)} is not visible`).not.toBeNull();
  expect(b, `${String(lower)} is not visible`).not.toBeNull();
  expect(a!.y + a!.height, `${String(upper)} should stand above ${String(lower)}`).toBeLessThanOrEqual(b!.y);
}

/** Waits until the locator's text matches (the console updates asynchronously, by polling and after fetches). */
export async function expectText(locator: Locator, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.innerText({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => '')) ?? '';
    if (pattern.test(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${String(locator)} to match ${pattern}; its text was: ${JSON.stringify(last)}`);
}
