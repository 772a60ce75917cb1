/**
 * A real Temporal cluster on loopback for the production-shape tests and the S9 benchmark: PostgreSQL persistence
 * and visibility, 4 history shards, and the frontend, history, matching and worker services as four separate
 * `temporal-server` processes (each its own gRPC and membership port), optionally with mTLS on the frontend.
 * The `default` namespace and the product's search attributes are created with the Temporal CLI, as an operator
 * would.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI_SEARCH_ATTRIBUTE_TYPE, ORDER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import type { Log } from '../go-install';
import type { ServerBinaries } from './binaries';
import { makeTestPki, type TestPki } from './certs';
import { createRunRole, createTemporalDatabases, dropRunDatabases, type PostgresCluster, type RunDatabases } from './postgres';
import { freePorts, type PidRegistry, portOpen, type Proc, spawnLogged, waitFor } from './processes';
import { writeServerConfig } from './server-config';

export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const NUM_HISTORY_SHARDS = 4;

export interface ClusterOptions {
  binaries: ServerBinaries;
  /** The Temporal CLI (namespace and search attributes). */
  cli: string;
  pg: PostgresCluster;
  /** Config, logs, certificates. */
  dir: string;
  /** mTLS on the frontend: clients must present a certificate of the suite's CA. */
  mtls: boolean;
  namespace?: string;
  registry?: PidRegistry;
  log: Log;
}

/** What a client needs to reach the frontend: the product's TEMPORAL_* variables. */
export type ClientEnv = Record<'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE', string> & Partial<Record<'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_SERVER_NAME', string>>;

export interface TestCluster {
  frontendAddress: string;
  namespace: string;
  pki?: TestPki;
  /** The product's environment for this cluster (address, namespace and, with mTLS, the client certificate). */
  clientEnv: ClientEnv;
  services: Record<ServiceName, Proc>;
  /** SIGKILLs one service process, waits `downMs`, starts it again on the same ports; resolves once it listens. */
  restart(service: ServiceName, downMs?: number): Promise<void>;
  /** Runs the Temporal CLI against the frontend (with the product's certificate under mTLS). */
  cli(args: string[]): Promise<string>;
  /** Stops every process and drops the run's databases and role. */
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);

export async function startTestCluster(opts: ClusterOptions): Promise<TestCluster> {
  const { log } = opts;
  const namespace = opts.namespace ?? 'default';
  fs.mkdirSync(path.join(opts.dir, 'logs'), { recursive: true });
  const started = Date.now();
  let run: RunDatabases | undefined;
  const procs: Partial<Record<ServiceName, Proc>> = {};
  const stop = async (): Promise<void> => {
    await Promise.all(Object.values(procs).map((p) => p.stop(10_000)));
    if (run) dropRunDatabases(opts.pg, run.user);
    run = undefined;
  };
  try {
    run = createRunRole(opts.pg);
    createTemporalDatabases(opts.binaries.sqlTool, opts.pg, run, log);
    const pki = opts.mtls ? makeTestPki(path.join(opts.dir, 'pki')) : undefined;
    const [frontend, frontendMembership, frontendHttp, history, historyMembership, matching, matchingMembership, worker, workerMembership] =
      await freePorts(9);
    const ports = {
      frontend: { grpcPort: frontend!, membershipPort: frontendMembership!, httpPort: frontendHttp! },
      history: { grpcPort: history!, membershipPort: historyMembership! },
      matching: { grpcPort: matching!, membershipPort: matchingMembership! },
      worker: { grpcPort: worker!, membershipPort: workerMembership! },
    };
    const configDir = writeServerConfig({ dir: opts.dir, pg: opts.pg, run, ports, shards: NUM_HISTORY_SHARDS, pki });
    const frontendAddress = `127.0.0.1:${ports.frontend.grpcPort}`;

    const incarnations: Partial<Record<ServiceName, number>> = {};
    const startService = (service: ServiceName): Proc => {
      const n = (incarnations[service] = (incarnations[service] ?? 0) + 1);
      return (procs[service] = spawnLogged(
        `temporal-server ${service}`,
        opts.binaries.server,
        // --allow-no-auth: no authorizer on this test cluster; on a shared one, namespace authorisation belongs here.
        ['--root', opts.dir, '--config', path.relative(opts.dir, configDir), '--env', 'cluster', '--allow-no-auth', 'start', '--service', service],
        { logFile: path.join(opts.dir, 'logs', n === 1 ? `${service}.log` : `${service}.${n}.log`), registry: opts.registry },
      ));
    };
    // The worker service serves no gRPC (it runs system workflows as a client of the frontend): its membership
    // port says it is up.
    const readyPort = (service: ServiceName): number => (service === 'worker' ? ports.worker.membershipPort : ports[service].grpcPort);
    const listening = (service: ServiceName): Promise<void> =>
      waitFor(`${service} on port ${readyPort(service)}`, () => portOpen(readyPort(service)), { timeoutMs: 60_000, proc: procs[service] });

    // History first, alone: the first process of a new cluster writes its metadata row, and four doing it at
    // once race on the insert (the losers exit).
    startService('history');
    await listening('history');
    const rest = SERVICES.filter((s) => s !== 'history');
    for (const s of rest) startService(s);
    await Promise.all(rest.map(listening));

    const tlsFlags = pki
      ? ['--tls-cert-path', pki.product.cert, '--tls-key-path', pki.product.key, '--tls-ca-path', pki.caCert, '--tls-server-name', pki.serverName]
      : [];
    const cli = async (args: string[]): Promise<string> => {
      // Only our flags: the CLI also reads TEMPORAL_ADDRESS, TEMPORAL_TLS_* … from the environment.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
      try {
        const { stdout } = await execFileAsync(opts.cli, [...args, '--address', frontendAddress, ...tlsFlags], { env, timeout: 30_000 });
        return stdout;
      } catch (err) {
        const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message);
        throw new Error(`temporal ${args.join(' ')}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
      }
    };

    // The frontend answers before history owns its shards; namespace creation succeeds once the cluster serves.
    await waitFor('the cluster to create the namespace', () => cli(['operator', 'namespace', 'create', '--namespace', namespace, '--retention', '1d']).then(() => true), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
    for (const { name, type } of ORDER_SEARCH_ATTRIBUTES) {
      await cli(['operator', 'search-attribute', 'create', '--namespace', namespace, '--name', name, '--type', CLI_SEARCH_ATTRIBUTE_TYPE[type]]);
    }
    // Workflow calls succeed once every service knows the namespace (registries refresh every 2 s).
    await waitFor('the namespace to serve workflow calls', () => cli(['workflow', 'list', '--namespace', namespace, '--limit', '1']).then(() => true), {
      timeoutMs: 60_000,
      intervalMs: 1_000,
    });
    log(`Temporal cluster (${SERVICES.join(', ')}; ${NUM_HISTORY_SHARDS} shards; ${pki ? 'mTLS' : 'plaintext'}) on ${frontendAddress} in ${Math.round((Date.now() - started) / 1000)} s`);

    const clientEnv: ClientEnv = { TEMPORAL_ADDRESS: frontendAddress, TEMPORAL_NAMESPACE: namespace };
    if (pki) {
      Object.assign(clientEnv, { TEMPORAL_TLS_CERT: pki.product.cert, TEMPORAL_TLS_KEY: pki.product.key, TEMPORAL_TLS_CA: pki.caCert, TEMPORAL_TLS_SERVER_NAME: pki.serverName });
    }
    return {
      frontendAddress,
      namespace,
      pki,
      clientEnv,
      services: procs as Record<ServiceName, Proc>,
      restart: async (service, downMs = 0) => {
        await procs[service]!.kill();
        await new Promise((r) => setTimeout(r, downMs));
        startService(service);
        await listening(service);
      },
      cli,
      stop,
    };
  } catch (err) {
    await stop().catch((e: unknown) => log(`cleanup after a failed start failed: ${String(e)}`));
    throw err;
  }
}
