/**
 * GET /metrics without METRICS_TOKEN: loopback peers only (the socket's address, not a forwarded header), listed in
 * the OpenAPI description as text/plain; unmatched URLs are counted under one route label, never by their path.
 */
import { describe, expect, it } from 'vitest';
import { parsePrometheus } from '../helpers/prometheus';
import { useTestApp } from '../helpers/app';

describe('GET /metrics without METRICS_TOKEN', () => {
  const s = useTestApp();

  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1'])('answers a loopback peer (%s) with Prometheus text', async (remoteAddress) => {
    const res = await s.ctx.app.inject({ method: 'GET', url: '/metrics', remoteAddress });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parsePrometheus(res.body).some((x) => x.name === 'order_review_orders_by_status')).toBe(true);
  });

  it.each(['203.0.113.9', '10.0.0.7', '::ffff:192.168.1.2'])('refuses any other peer (%s) with a 403 problem, forwarded header or not', async (remoteAddress) => {
    const res = await s.ctx.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 403, detail: expect.stringMatching(/METRICS_TOKEN/) });
  });

  it('counts an unmatched URL under route="unmatched", not by its path', async () => {
    await s.ctx.app.inject({ method: 'GET', url: '/no/such/ORDER-SECRET-42' });
    const res = await s.ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).not.toContain('ORDER-SECRET-42');
    const samples = parsePrometheus(res.body);
    expect(samples.find((x) => x.name === 'http_request_duration_seconds_count' && x.labels.route === 'unmatched' && x.labels.status_code === '404')?.value).toBe(1);
  });

  it('is in the OpenAPI description with its text/plain answer and its problems', async () => {
    const doc = (await s.ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/metrics'].get;
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/plain']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
  });
});
