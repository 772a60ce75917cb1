/**
 * The entry points as a user runs them (real processes): a bad REVIEW_POLICY_FILE stops each with exit code 2 and
 * a message before anything starts; an API port clash is one clear line and a clean exit with nothing left
 * running, the embedded Temporal server included.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const TSX = require.resolve('tsx/cli');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function run(script: string, env: Record<string, string>, timeoutMs: number, onSpawn?: (c: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [TSX, script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    onSpawn?.(child);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-start-'));
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

const STACK_LINE = /^\s+at /m;

/** Every line of a process's stdout as JSON (each must be one); throws naming a line that is not. */
function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${l}`);
      }
    });
}

describe('a bad REVIEW_POLICY_FILE', () => {
  const root = tempDir();
  const policy = path.join(root, 'policy.json');
  fs.writeFileSync(policy, JSON.stringify({ stages: 'all at once', maxRevisions: -1 }));

  it.each(['scripts/start.ts', 'server.ts', 'worker.ts'])('stops %s with exit code 2 and a message, before anything starts', async (script) => {
    const dataDir = path.join(root, `data-${path.basename(script, '.ts')}`);
    const res = await run(
      script,
      { DATA_DIR: dataDir, REVIEW_POLICY_FILE: policy, TEMPORAL_DEV_PORT: String(await freePort()), TEMPORAL_ADDRESS: '127.0.0.1:1' },
      60_000,
    );
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(`REVIEW_POLICY_FILE ${policy} is not a valid policy`);
    expect(res.stderr).not.toMatch(STACK_LINE);
    // Nothing was started or written: no data directory, no database, no Temporal server.
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(res.ms).toBeLessThan(20_000);
  });

  it('stops npm start with the embedded server (no TEMPORAL_ADDRESS) before it starts Temporal', async () => {
    const dataDir = path.join(root, 'data-embedded');
    const devPort = await freePort();
    const res = await run('scripts/start.ts', { DATA_DIR: dataDir, REVIEW_POLICY_FILE: path.join(root, 'missing.json'), TEMPORAL_DEV_PORT: String(devPort) }, 60_000);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/REVIEW_POLICY_FILE .*missing\.json/);
    expect(res.stderr).not.toMatch(STACK_LINE);
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(res.stdout).not.toMatch(/Temporal/);
  });
});

describe('an API port clash', () => {
  it('npm start says so in one line and exits, stopping the embedded Temporal server it started', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    const dataDir = tempDir();
    const devPort = await freePort();
    const uiPort = await freePort();
    let temporalPid: number | undefined;
    const res = await run(
      'scripts/start.ts',
      { DATA_DIR: dataDir, PORT: String(port), TEMPORAL_DEV_PORT: String(devPort), TEMPORAL_UI_PORT: String(uiPort) },
      120_000,
      () => {
        const watch = setInterval(() => {
          try {
            temporalPid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'), 10);
            clearInterval(watch);
          } catch {
            // not written yet
          }
        }, 50);
        setTimeout(() => clearInterval(watch), 120_000).unref();
      },
    );
    taken.close();
    expect(res.code, res.stdout + res.stderr).toBe(1);
    // One JSON line says it (the start script's, at fatal, without a stack); nothing else is an error.
    const lines = jsonLines(res.stdout);
    const errors = lines.filter((l) => l.level === 'error' || l.level === 'fatal');
    expect(errors).toEqual([
      expect.objectContaining({ name: 'start', level: 'fatal', msg: `cannot listen on 127.0.0.1:${port}: the address is already in use (another process listens there; set PORT or HOST)` }),
    ]);
    expect(errors[0]).not.toHaveProperty('err');
    expect(res.stdout).not.toMatch(STACK_LINE);
    expect(res.stderr).toBe('');
    // The supervision of the dev server and the start script both speak JSON with their names.
    expect(lines.map((l) => l.name)).toContain('start');
    // The Temporal server it started is gone: its process, its ports and its pid file.
    expect(temporalPid).toBeGreaterThan(0);
    expect(() => process.kill(temporalPid!, 0)).toThrow();
    expect(await refusesConnections(devPort)).toBe(true);
    expect(await refusesConnections(uiPort)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'temporal.pid'))).toBe(false);
  }, 150_000);

  it('server.ts says so in one line and exits 1', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    const res = await run('server.ts', { DATA_DIR: tempDir(), PORT: String(port), TEMPORAL_ADDRESS: inject('temporalAddress') }, 60_000);
    taken.close();
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(jsonLines(res.stdout).filter((l) => l.level === 'fatal')).toEqual([
      expect.objectContaining({ name: 'api', msg: expect.stringContaining(`cannot listen on 127.0.0.1:${port}: the address is already in use`) }),
    ]);
    expect(res.stdout).not.toMatch(STACK_LINE);
    expect(res.stderr).toBe('');
  });
});
