/**
 * The test cluster's server configuration, in the shape of the server's own config/development-postgres12.yaml:
 * one file read by all four service processes (each starts only its `--service`). Written as JSON, which is YAML,
 * so no quoting can go wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestPki } from './certs';
import type { PostgresCluster, RunDatabases } from './postgres';

interface Rpc {
  grpcPort: number;
  membershipPort: number;
  httpPort?: number;
}

export interface ServerConfigInput {
  dir: string;
  pg: PostgresCluster;
  run: RunDatabases;
  ports: { frontend: Rpc & { httpPort: number }; history: Rpc; matching: Rpc; worker: Rpc };
  shards: number;
  pki?: TestPki;
}

/** Writes `<dir>/config/cluster.yaml` (`--env cluster`) and its dynamic config; returns the config directory. */
export function writeServerConfig(input: ServerConfigInput): string {
  const configDir = path.join(input.dir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${input.pg.host}:${input.pg.port}`,
      connectProtocol: 'tcp',
      user: input.run.user,
      password: input.run.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (r: Rpc) => ({ rpc: { ...r, bindOnIP: '127.0.0.1' } });
  const { pki } = input;
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.shards,
      datastores: { 'postgres-default': sql(input.run.temporal, 10), 'postgres-visibility': sql(input.run.visibility, 4) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      ...(pki && {
        // mTLS between clients and the frontend. Internode traffic (history, matching) stays on loopback in
        // plaintext here; a multi-host cluster sets `internode` the same way.
        tls: {
          frontend: {
            server: { certFile: pki.frontend.cert, keyFile: pki.frontend.key, requireClientAuth: true, clientCaFiles: [pki.caCert] },
            client: { serverName: pki.serverName, rootCaFiles: [pki.caCert] },
          },
          // The worker service's system workflows are a client of the frontend like the product.
          systemWorker: {
            certFile: pki.systemWorker.cert,
            keyFile: pki.systemWorker.key,
            client: { serverName: pki.serverName, rootCaFiles: [pki.caCert] },
          },
        },
      }),
    },
    services: {
      frontend: rpc(input.ports.frontend),
      history: rpc(input.ports.history),
      matching: rpc(input.ports.matching),
      worker: rpc(input.ports.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${input.ports.frontend.grpcPort}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: path.join(configDir, 'dynamic.yaml'), pollInterval: '10s' },
  };
  const dynamic = {
    // Search attributes registered a moment ago are visible at once (a test cluster; production keeps the cache).
    'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }],
    // As on the dev server (scripts/dev-server.ts): a decision's durability barrier runs without a matching round trip.
    'system.enableActivityEagerExecution': [{ value: true }],
  };
  fs.writeFileSync(path.join(configDir, 'cluster.yaml'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(configDir, 'dynamic.yaml'), `${JSON.stringify(dynamic, null, 2)}\n`);
  return configDir;
}
