/** Connections to the run's Temporal server (started once by test/global-setup.ts). */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';

export interface TestClient {
  /** One native connection, usable by a Client and by Workers alike. Close it in afterAll. */
  connection: NativeConnection;
  client: Client;
  address: string;
}

export async function connectTestClient(): Promise<TestClient> {
  const address = inject('temporalAddress');
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection, namespace: inject('temporalNamespace') });
  return { connection, client, address };
}

/** A task queue no other test (or earlier run against the same server) uses: tests never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
