/**
 * Slow-client limits on a real socket (the API listening on 127.0.0.1:0): a client that dribbles its headers or
 * its body is cut off with 408 soon after the limit, while a slow *server* answer (a decision waits up to
 * UPDATE_DEADLINE_MS for the workflow) is never cut.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_TIMEOUTS } from '../../api/app';
import { UPDATE_DEADLINE_MS } from '../../api/services/order-updates';
import { createTestApp, type TestApp } from '../helpers/app';
import { connectTestClient, type TestClient } from '../helpers/temporal';

interface Exchange {
  /** ms from connecting until the server closed the socket. */
  closedAfterMs: number;
  response: string;
}

/**
 * Connects, writes `head` at once, then one byte of `drip` every `everyMs` until the server closes the socket
 * (or `giveUpMs` passes, when it answers what it has).
 */
function dribble(port: number, head: string, drip: string, everyMs: number, giveUpMs: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    let i = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(drip[i++ % drip.length] ?? ' ');
    }, everyMs);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(head));
    socket.on('data', (d: string) => (response += d));
    socket.on('error', () => undefined); // a reset after the 408 is expected
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, response });
    });
    socket.on('timeout', () => reject(new Error('socket timeout')));
  });
}

/** One complete request; resolves with the raw response once the server has answered it. */
function request(port: number, raw: string): Promise<{ afterMs: number; response: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(raw));
    let response = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      response += d;
      if (/\r\n\r\n[\s\S]*\}$/.test(response)) resolve({ afterMs: Date.now() - started, response, socket });
    });
    socket.on('error', reject);
  });
}

const portOf = (app: TestApp): number => (app.app.server.address() as net.AddressInfo).port;

describe('slow clients, shipped limits', () => {
  let t: TestClient;
  let api: TestApp;
  beforeAll(async () => {
    t = await connectTestClient();
    api = await createTestApp({ temporal: t.client, sweeper: false });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await api?.close();
    await t?.connection.close();
  });

  it('never cuts a server answer that waits for a decision, but cuts idle and slow clients soon', () => {
    expect(HTTP_TIMEOUTS.idleTimeoutMs).toBeGreaterThanOrEqual(UPDATE_DEADLINE_MS + 10_000);
    expect(HTTP_TIMEOUTS.headersTimeoutMs).toBeLessThanOrEqual(10_000);
    expect(HTTP_TIMEOUTS.requestTimeoutMs).toBeLessThanOrEqual(30_000);
    expect(HTTP_TIMEOUTS.checkIntervalMs).toBeLessThanOrEqual(1_000);
    const server = api.app.server;
    expect(server.headersTimeout).toBe(HTTP_TIMEOUTS.headersTimeoutMs);
    expect(server.requestTimeout).toBe(HTTP_TIMEOUTS.requestTimeoutMs);
    expect(server.timeout).toBe(HTTP_TIMEOUTS.idleTimeoutMs);
    expect(server.keepAliveTimeout).toBe(HTTP_TIMEOUTS.keepAliveTimeoutMs);
  });

  it('answers 408 and closes a socket that dribbles its headers, within a second of the headers limit', async () => {
    const limit = HTTP_TIMEOUTS.headersTimeoutMs;
    const [dribbling, silent] = await Promise.all([
      dribble(portOf(api), 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'abcdefgh', 200, limit + 10_000),
      dribble(portOf(api), '', '', 60_000, limit + 10_000),
    ]);
    for (const x of [dribbling, silent]) {
      expect(x.closedAfterMs).toBeGreaterThanOrEqual(limit - 100);
      expect(x.closedAfterMs).toBeLessThan(limit + HTTP_TIMEOUTS.checkIntervalMs + 1_000);
    }
    expect(dribbling.response).toMatch(/^HTTP\/1\.1 408/);
  }, 30_000);
});

describe('slow clients and slow answers (limits scaled down)', () => {
  const timeouts = { headersTimeoutMs: 500, requestTimeoutMs: 1_000, idleTimeoutMs: 4_000, keepAliveTimeoutMs: 700, checkIntervalMs: 100 };
  let t: TestClient;
  let api: TestApp;
  beforeAll(async () => {
    t = await connectTestClient();
    api = await createTestApp({
      temporal: t.client,
      sweeper: false,
      timeouts,
      routes: (app) => {
        // Stands in for a decision the workflow answers late: longer than the request limit, within the idle one.
        app.get('/test/slow-answer', async () => {
          await sleep(2 * timeouts.requestTimeoutMs);
          return { ok: true };
        });
      },
    });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await api?.close();
    await t?.connection.close();
  });

  it('answers 408 and closes a socket that dribbles its body, soon after the request limit', async () => {
    const head =
      'PUT /v1/capacity HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 200\r\n' +
      `authorization: ${api.auth('admin').authorization}\r\n\r\n{`;
    const x = await dribble(portOf(api), head, '      ', 100, 10_000);
    expect(x.closedAfterMs).toBeGreaterThanOrEqual(timeouts.requestTimeoutMs - 50);
    expect(x.closedAfterMs).toBeLessThan(timeouts.requestTimeoutMs + 1_000);
    expect(x.response).toMatch(/^HTTP\/1\.1 408/);
  });

  it('lets a slow server answer through, past the request limit', async () => {
    const res = await request(portOf(api), 'GET /test/slow-answer HTTP/1.1\r\nHost: x\r\n\r\n');
    res.socket.destroy();
    expect(res.response).toMatch(/^HTTP\/1\.1 200/);
    expect(res.afterMs).toBeGreaterThanOrEqual(2 * timeouts.requestTimeoutMs - 50);
  });

  it('closes a kept-alive socket that stays idle after its answer', async () => {
    const res = await request(portOf(api), 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const started = Date.now();
    await new Promise((resolve) => res.socket.on('close', resolve));
    // Node itself allows a kept-alive socket up to a second more than keepAliveTimeout.
    const idleFor = Date.now() - started;
    expect(idleFor).toBeGreaterThanOrEqual(timeouts.keepAliveTimeoutMs - 50);
    expect(idleFor).toBeLessThan(timeouts.keepAliveTimeoutMs + 2_000);
  });
});
