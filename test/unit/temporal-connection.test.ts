import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { temporalConnectionOptions } from '../../temporal-connection';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-tls-config-'));
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content, { mode: 0o600 });
  return p;
};
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const key = file('client.key', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n');
const notPem = file('not-pem.txt', 'hello\n');
const apiKeyFile = file('api-key', '  secret-key-from-file\n');
const emptyKeyFile = file('empty-key', '\n');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('Temporal TLS and API key settings', () => {
  it('connects in plaintext when none is set, or all are empty', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual({ address: 'temporal:7233' });
    const empty = { TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '', TEMPORAL_TLS_CA: '', TEMPORAL_TLS_SERVER_NAME: '', TEMPORAL_API_KEY: '' };
    expect(temporalConnectionOptions(loadConfig(empty))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('builds mTLS options from the files: client pair, CA and server name', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: '10.0.0.5:7233',
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const options = temporalConnectionOptions(config);
    expect(options.address).toBe('10.0.0.5:7233');
    expect(Buffer.from(options.tls!.clientCertPair!.crt).toString()).toContain('MIIB');
    expect(Buffer.from(options.tls!.clientCertPair!.key).toString()).toContain('PRIVATE KEY');
    expect(Buffer.from(options.tls!.serverRootCACertificate!).toString()).toContain('MIIC');
    expect(options.tls!.serverNameOverride).toBe('temporal.internal');
    expect(options.apiKey).toBeUndefined();
  });

  it('a CA alone is server-verified TLS without a client certificate', () => {
    const options = temporalConnectionOptions(loadConfig({ TEMPORAL_TLS_CA: ca }));
    expect(options.tls).toEqual({ serverRootCACertificate: expect.any(Buffer) });
  });

  it('an API key turns TLS on (system trust store) and is sent as the key', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_API_KEY: 'k-123' }))).toEqual({ address: '127.0.0.1:7233', tls: {}, apiKey: 'k-123' });
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_API_KEY_FILE: apiKeyFile })).apiKey).toBe('secret-key-from-file');
  });

  it.each([
    [{ TEMPORAL_TLS_CERT: cert }, 'TEMPORAL_TLS_KEY', /required with TEMPORAL_TLS_CERT/],
    [{ TEMPORAL_TLS_KEY: key }, 'TEMPORAL_TLS_CERT', /required with TEMPORAL_TLS_KEY/],
    [{ TEMPORAL_TLS_CA: path.join(dir, 'missing.pem') }, 'TEMPORAL_TLS_CA', /cannot read this file/],
    [{ TEMPORAL_TLS_CA: dir }, 'TEMPORAL_TLS_CA', /cannot read this file/],
    [{ TEMPORAL_TLS_CERT: notPem, TEMPORAL_TLS_KEY: key }, 'TEMPORAL_TLS_CERT', /not a PEM file/],
    [{ TEMPORAL_TLS_SERVER_NAME: 'bad name' }, 'TEMPORAL_TLS_SERVER_NAME', /DNS name/],
    [{ TEMPORAL_API_KEY: 'k', TEMPORAL_API_KEY_FILE: apiKeyFile }, 'TEMPORAL_API_KEY_FILE', /not both/],
    [{ TEMPORAL_API_KEY_FILE: emptyKeyFile }, 'TEMPORAL_API_KEY_FILE', /empty/],
    [{ TEMPORAL_API_KEY_FILE: path.join(dir, 'nope') }, 'TEMPORAL_API_KEY_FILE', /cannot read this file/],
  ])('rejects %o naming %s', (env, variable, message) => {
    const text = configError(env);
    expect(text).toContain(`${variable}:`);
    expect(text).toMatch(message);
  });

  it('worker.ts exits 2 with the message before connecting anywhere', () => {
    const root = path.resolve(__dirname, '../..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'worker.ts')], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_TLS_CERT: cert, DATA_DIR: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/TEMPORAL_TLS_KEY: required with TEMPORAL_TLS_CERT/);
  });
});
