/**
 * Rate limits with the shipped defaults: failed authentication is limited per client IP, a principal's requests
 * (403s included) per principal, and an anonymous flood never locks a real principal out, even from its own IP.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { useTestApp } from '../helpers/app';

const defaults = loadConfig({});
const ATTACKER = '203.0.113.7';
const NEIGHBOUR = '203.0.113.8';

describe('rate limits (shipped defaults)', () => {
  const env = useTestApp({
    rateLimit: { max: defaults.rateLimitPerMinute, authFailuresMax: defaults.authFailuresPerMinute, timeWindowMs: 60_000 },
  });

  const get = (url: string, headers: Record<string, string>, remoteAddress = ATTACKER) =>
    env.ctx.app.inject({ method: 'GET', url, headers, remoteAddress });

  /** Sends `n` requests in batches and counts the answers by status. */
  async function flood(n: number, send: (i: number) => ReturnType<typeof get>): Promise<Record<number, number>> {
    const counts: Record<number, number> = {};
    for (let i = 0; i < n; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => send(i + j)));
      for (const res of batch) counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
    }
    return counts;
  }

  it('ships a small failed-authentication budget per IP and a larger one per principal', () => {
    expect(defaults.authFailuresPerMinute).toBe(30);
    expect(defaults.rateLimitPerMinute).toBe(600);
    expect(loadConfig({ AUTH_FAILURES_PER_MINUTE: '5' }).authFailuresPerMinute).toBe(5);
  });

  it('limits 1,500 anonymous requests and 700 random tokens from one IP to the failure budget', async () => {
    const anonymous = await flood(1_500, () => get('/v1/orders', {}));
    expect(anonymous).toEqual({ 401: defaults.authFailuresPerMinute, 429: 1_500 - defaults.authFailuresPerMinute });
    const guesses = await flood(700, (i) => get('/v1/orders', { authorization: `Bearer guess-${i}-${Math.random()}` }));
    expect(guesses).toEqual({ 429: 700 });

    const limited = await get('/v1/orders', {});
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ type: 'urn:order-review:problem:rate-limited', detail: expect.stringMatching(/failed authentication/) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('does not lock a real principal out: a valid token from the flooded IP still works', async () => {
    // The attacker's IP is over its failure budget (previous test); the principal's own budget is untouched.
    expect((await get('/v1/orders', {})).statusCode).toBe(429);
    const res = await get('/v1/orders', env.ctx.auth('shop'));
    expect(res.statusCode, res.body).toBe(200);
    // Another address has its own failure budget.
    expect((await get('/v1/orders', {}, NEIGHBOUR)).statusCode).toBe(401);
  });

  it("counts 403s against the principal's own limit, not anyone else's", async () => {
    // finance may not list principals: 700 attempts from one principal.
    const denied = await flood(700, () => get('/v1/principals', env.ctx.auth('finance'), NEIGHBOUR));
    expect(denied).toEqual({ 403: defaults.rateLimitPerMinute, 429: 700 - defaults.rateLimitPerMinute });
    // Its budget is spent for what it may do too ...
    expect((await get('/v1/inbox', env.ctx.auth('finance'), NEIGHBOUR)).statusCode).toBe(429);
    // ... while another principal behind the same address is unaffected.
    expect((await get('/v1/inbox', env.ctx.auth('finance2'), NEIGHBOUR)).statusCode).toBe(200);
  });
});
