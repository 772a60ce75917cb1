/**
 * How every process of the product reaches Temporal: the address, TLS / mTLS and an API key. One function builds
 * the options for both the client's `Connection` (server.ts, scripts) and the worker's `NativeConnection`.
 *
 * Why it matters: whoever can send Updates to the order workflows can forge decisions (`decideUpdate` names its
 * actor and department; the API's rules are not in the way). On a shared cluster the namespace must be writable by
 * the product only: mTLS client certificates or API keys, plus the cluster's namespace-level authorisation.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { z } from 'zod';
import type { AppConfig } from './config';

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const readableFile = z
  .string()
  .min(1)
  .transform((p) => path.resolve(p))
  .refine(readable, { message: 'cannot read this file (missing, not a file, or no permission)', abort: true });

/** A PEM file (certificate or key): core's own error for anything else does not name the variable. */
const pemFile = readableFile.refine((p) => fs.readFileSync(p, 'utf8').includes('-----BEGIN '), 'not a PEM file (no -----BEGIN line)');

/** The environment variables of this module, spread into config.ts's schema. */
export const temporalConnectionEnv = {
  /** Client certificate and key for mTLS: both or neither. */
  TEMPORAL_TLS_CERT: pemFile.optional(),
  TEMPORAL_TLS_KEY: pemFile.optional(),
  /** CA that signed the frontend's certificate; default: the system's trust store. */
  TEMPORAL_TLS_CA: pemFile.optional(),
  /** Name to check the frontend's certificate against (and SNI), when it is not the host of TEMPORAL_ADDRESS. */
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'expected a DNS name')
    .optional(),
  /** Sent as `Authorization: Bearer <key>`; implies TLS. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_API_KEY_FILE: readableFile.optional(),
};

type Env = { [K in keyof typeof temporalConnectionEnv]?: string };

/** Checks across variables; `ctx.addIssue` shapes them like zod's own, naming the variable. */
export function checkTemporalConnectionEnv(env: Env, ctx: z.RefinementCtx): void {
  if (env.TEMPORAL_TLS_CERT && !env.TEMPORAL_TLS_KEY) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_KEY'], message: 'required with TEMPORAL_TLS_CERT (the client certificate needs its key)' });
  }
  if (env.TEMPORAL_TLS_KEY && !env.TEMPORAL_TLS_CERT) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_CERT'], message: 'required with TEMPORAL_TLS_KEY (the key needs its client certificate)' });
  }
  if (env.TEMPORAL_API_KEY && env.TEMPORAL_API_KEY_FILE) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_API_KEY_FILE'], message: 'set either TEMPORAL_API_KEY or TEMPORAL_API_KEY_FILE, not both' });
  }
  if (env.TEMPORAL_API_KEY_FILE && readable(env.TEMPORAL_API_KEY_FILE) && !fs.readFileSync(env.TEMPORAL_API_KEY_FILE, 'utf8').trim()) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_API_KEY_FILE'], message: 'the file is empty' });
  }
}

export interface TemporalSecurity {
  /** Undefined: plaintext (the embedded dev server, or a cluster on a trusted network). */
  tls?: { certFile?: string; keyFile?: string; caFile?: string; serverName?: string };
  apiKey?: string;
}

/** The parsed variables as AppConfig's `temporalSecurity`. */
export function temporalSecurityOf(env: Env): TemporalSecurity {
  const apiKey = env.TEMPORAL_API_KEY ?? (env.TEMPORAL_API_KEY_FILE ? fs.readFileSync(env.TEMPORAL_API_KEY_FILE, 'utf8').trim() : undefined);
  const tlsSet = env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || env.TEMPORAL_TLS_SERVER_NAME;
  const tls = tlsSet
    ? { certFile: env.TEMPORAL_TLS_CERT, keyFile: env.TEMPORAL_TLS_KEY, caFile: env.TEMPORAL_TLS_CA, serverName: env.TEMPORAL_TLS_SERVER_NAME }
    : undefined;
  return { ...(tls && { tls }), ...(apiKey && { apiKey }) };
}

/** TEMPORAL_ADDRESS, else the embedded dev server on loopback. */
export function temporalAddressOf(config: Pick<AppConfig, 'temporalAddress' | 'temporalDevPort'>): string {
  return config.temporalAddress ?? `127.0.0.1:${config.temporalDevPort}`;
}

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/**
 * Options for `Connection.connect` and `NativeConnection.connect`. The files are read here, at connect time, so a
 * restarted process picks up rotated certificates. With only an API key, TLS is on with the system's trust store
 * (the SDK's default too: an API key is never sent in plaintext).
 */
export function temporalConnectionOptions(
  config: Pick<AppConfig, 'temporalAddress' | 'temporalDevPort' | 'temporalSecurity'>,
): TemporalConnectionOptions {
  const { tls, apiKey } = config.temporalSecurity;
  const options: TemporalConnectionOptions = { address: temporalAddressOf(config) };
  if (tls || apiKey) {
    options.tls = {};
    if (tls?.caFile) options.tls.serverRootCACertificate = fs.readFileSync(tls.caFile);
    if (tls?.certFile && tls.keyFile) options.tls.clientCertPair = { crt: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) };
    if (tls?.serverName) options.tls.serverNameOverride = tls.serverName;
  }
  if (apiKey) options.apiKey = apiKey;
  return options;
}
