/**
 * Once per `npm run test:chaos`: a run directory and a pid registry. The teardown ends every process a suite started
 * and did not stop (a failed hook, a killed fork); the directories of failed suites are kept for their logs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PidRegistry } from '../../scripts/cluster/processes';

export default function setup(project: TestProject): () => void {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-chaos-'));
  const pidFile = path.join(runDir, 'pids');
  project.provide('chaosRunDir', runDir);
  project.provide('chaosPidFile', pidFile);
  return () => {
    const leftover = new PidRegistry(pidFile).killRegistered();
    if (leftover.length) console.log(`[chaos-setup] ended processes a suite left running: ${leftover.join(', ')}`);
    const kept = fs.readdirSync(runDir).filter((d) => d !== 'pids');
    if (kept.length) console.log(`[chaos-setup] logs of failed suites kept in ${runDir}`);
    else fs.rmSync(runDir, { recursive: true, force: true });
  };
}
