/**
 * One Temporal dev server and one workflow bundle for the whole integration run: starting a server per file
 * would cost seconds each, and bundling (webpack) costs more. Tests get fresh task queues instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { devServerDynamicConfigArgs } from '../scripts/dev-server';
import { resolveTemporalCli, temporalCliHelp } from '../scripts/temporal-cli';
import { OrderAwaitingDepartments, OrderCustomerId, OrderStatus } from '../workflows/search-attributes';

const NAMESPACE = 'default';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (msg: string): void => console.log(`[global-setup] ${msg}`);
  const cli = await resolveTemporalCli({ build: true, log });
  if (!cli) console.warn(`[global-setup] ${temporalCliHelp()}`);

  // Start the server and bundle in parallel; if either fails, do not leave the other behind.
  const [envResult, bundleResult] = await Promise.allSettled([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
        ip: '127.0.0.1',
        namespace: NAMESPACE,
        // As npm start registers them (scripts/dev-server.ts): orders are indexed and `temporal workflow list
        // --query` finds them.
        searchAttributes: [OrderStatus, OrderCustomerId, OrderAwaitingDepartments],
        extraArgs: devServerDynamicConfigArgs(),
      },
    }),
    bundleWorkflows(),
  ]);
  if (envResult.status === 'rejected' || bundleResult.status === 'rejected') {
    if (envResult.status === 'fulfilled') await envResult.value.teardown();
    if (bundleResult.status === 'fulfilled') fs.rmSync(path.dirname(bundleResult.value), { recursive: true, force: true });
    throw envResult.status === 'rejected' ? envResult.reason : (bundleResult as PromiseRejectedResult).reason;
  }
  const env = envResult.value;
  const bundlePath = bundleResult.value;
  log(`Temporal dev server on ${env.address}`);

  project.provide('temporalAddress', env.address);
  project.provide('temporalNamespace', NAMESPACE);
  project.provide('workflowBundlePath', bundlePath);

  return async () => {
    await env.teardown();
    fs.rmSync(path.dirname(bundlePath), { recursive: true, force: true });
  };
}

async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    // The directory: webpack resolves its index.ts (require.resolve here would not know the .ts extension).
    workflowsPath: path.resolve(__dirname, '../workflows'),
    // webpack's module listing at INFO says nothing a test run needs; errors still surface.
    logger: new DefaultLogger('WARN'),
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-workflows-'));
  const file = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(file, code);
  return file;
}
