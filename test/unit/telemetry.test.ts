import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lifecycleLevel, logOptions, temporalLogger } from '../../telemetry/log';
import { metricsAccess } from '../../telemetry/metrics';

function capture(level: pino.LevelWithSilent = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: pino(logOptions('worker', level), stream) };
}

describe('temporalLogger', () => {
  it('writes the SDK and workflow lines as pino JSON with a word level, ISO time and the process name', () => {
    const { lines, log } = capture();
    temporalLogger(log).info('Worker state changed', { state: 'RUNNING', sdkComponent: 'worker' });
    expect(lines).toEqual([expect.objectContaining({ level: 'info', name: 'worker', msg: 'Worker state changed', state: 'RUNNING' })]);
    expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
  });

  it("names the order of an order workflow's line, and keeps an explicit orderId", () => {
    const { lines, log } = capture();
    const t = temporalLogger(log);
    t.debug('Activity completed', { workflowId: 'order-PO-7', activityType: 'recordState' });
    t.info('decision landed', { workflowId: 'order-PO-7', orderId: 'PO-7', principal: 'fiona' });
    t.info('relay', { workflowId: 'relay-webhook-1' });
    expect(lines.map((l) => l.orderId)).toEqual(['PO-7', 'PO-7', undefined]);
  });

  it('maps every Temporal level and puts errors under err with their stack', () => {
    const { lines, log } = capture();
    const t = temporalLogger(log);
    t.log('TRACE', 't');
    t.warn('w');
    t.error('Activity failed', { error: new Error('boom') });
    expect(lines.map((l) => l.level)).toEqual(['trace', 'warn', 'error']);
    expect(lines[2]).toMatchObject({ err: { message: 'boom', stack: expect.stringContaining('Error: boom') } });
    expect(lines[2]).not.toHaveProperty('error');
  });

  it('drops what the level filters out', () => {
    const { lines, log } = capture('warn');
    temporalLogger(log).info('quiet');
    expect(lines).toEqual([]);
  });
});

describe('lifecycleLevel', () => {
  it.each([
    ['warn', 'info'],
    ['error', 'info'],
    ['info', 'info'],
    ['debug', 'debug'],
    ['silent', 'silent'],
  ] as const)('%s → %s', (level, expected) => expect(lifecycleLevel(level)).toBe(expected));
});

describe('metricsAccess', () => {
  const token = 'metrics-token-0123456789';

  it('without a token: loopback peers only', () => {
    for (const remoteAddress of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(metricsAccess({ token: undefined, authorization: undefined, remoteAddress })).toEqual({ ok: true });
    }
    for (const remoteAddress of ['10.1.2.3', '::ffff:8.8.8.8', 'fe80::1', undefined, 'not-an-ip']) {
      expect(metricsAccess({ token: undefined, authorization: undefined, remoteAddress })).toMatchObject({ ok: false, status: 403 });
    }
  });

  it('with a token: exactly `Bearer <token>`, from anywhere (loopback too)', () => {
    expect(metricsAccess({ token, authorization: `Bearer ${token}`, remoteAddress: '203.0.113.1' })).toEqual({ ok: true });
    expect(metricsAccess({ token, authorization: `bearer ${token}`, remoteAddress: '203.0.113.1' })).toEqual({ ok: true });
    for (const authorization of [undefined, '', `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, 'Bearer']) {
      expect(metricsAccess({ token, authorization, remoteAddress: '127.0.0.1' })).toMatchObject({ ok: false, status: 401 });
    }
  });
});
