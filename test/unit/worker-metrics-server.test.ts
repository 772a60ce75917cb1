import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsServer, serveMetrics } from '../../telemetry/worker-metrics';

/** Sends one raw request and reads the whole answer (the server closes after `connection: close`). */
function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe("the worker's metrics server", () => {
  let server: MetricsServer;
  beforeAll(async () => {
    server = await serveMetrics({ host: '127.0.0.1', port: 0, token: undefined, text: async () => 'up 1\n', log: pino({ level: 'silent' }) });
  });
  afterAll(() => server.close());

  it('answers a request target that is no URL with 404 and keeps serving', async () => {
    const answer = await raw(server.url, 'GET http://[ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 404/);
    const res = await fetch(`${server.url.replace(/\/metrics$/, '')}/metrics?x=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('up 1\n');
  });
});
