import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      temporalAddress: undefined,
      namespace: 'default',
      taskQueue: 'order-review',
      temporalDevPort: 7233,
      temporalUiPort: 8233,
      logLevel: 'info',
      metricsToken: undefined,
      workerMetricsPort: undefined,
      workerMetricsHost: '127.0.0.1',
    });
    expect(c.dbFile.endsWith('/data/app.db')).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', TEMPORAL_ADDRESS: '' })).toMatchObject({ port: 3000, temporalAddress: undefined });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['TEMPORAL_ADDRESS', 'nope'],
    ['TEMPORAL_DEV_PORT', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['ADMIN_TOKEN', 'short'],
    ['METRICS_TOKEN', 'short'],
    ['WORKER_METRICS_PORT', 'nine'],
    ['WORKER_METRICS_PORT', '65536'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'abc', TEMPORAL_ADDRESS: 'nope' });
      expect.unreachable('loadConfig accepted bad values');
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/TEMPORAL_ADDRESS/);
    }
  });

  it('accepts a host:port TEMPORAL_ADDRESS', () => {
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233' }).temporalAddress).toBe('temporal.internal:7233');
  });
});
