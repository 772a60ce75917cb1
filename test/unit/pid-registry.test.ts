import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PidRegistry } from '../../scripts/cluster/processes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-pids-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sleeper() {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { child, exited };
}

it('ends the registered processes that still run, and only them', async () => {
  const registry = new PidRegistry(path.join(dir, 'pids'));
  const a = sleeper();
  const b = sleeper();
  registry.add(a.child.pid!, 'a');
  registry.add(b.child.pid!, 'b');
  // A line naming c's pid with another start time: as if c had merely reused the number of a registered process.
  const c = sleeper();
  fs.appendFileSync(registry.file, `${c.child.pid} 1 impostor\n`);
  // And one whose process is gone.
  const gone = sleeper();
  registry.add(gone.child.pid!, 'gone');
  gone.child.kill('SIGKILL');
  await gone.exited;

  expect(registry.killRegistered()).toEqual(['a', 'b']);
  expect(await a.exited).toBe('SIGKILL');
  expect(await b.exited).toBe('SIGKILL');
  expect(registry.killRegistered()).toEqual([]);
  expect(c.child.exitCode === null && c.child.signalCode === null).toBe(true);
  c.child.kill('SIGKILL');
  await c.exited;
});
