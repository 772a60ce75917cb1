/**
 * Process configuration, read from the environment once at start and validated with zod.
 * Nothing else in the code base reads process.env: entry points call loadConfig() and pass values down.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BUILT_IN_POLICY, parsePolicy } from './domain/policy';
import type { ResolvedPolicy } from './domain/types';
import { checkTemporalConnectionEnv, temporalConnectionEnv, type TemporalSecurity, temporalSecurityOf } from './temporal-connection';

const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default('order-review'),
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  REVIEW_POLICY_FILE: z.string().min(1).optional(),
  /** Ports of the embedded dev server (ignored when TEMPORAL_ADDRESS is set). */
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** Requests per minute one principal (or one anonymous IP) may make; 429 with Retry-After above it. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Failed authentications (missing or unknown token) per minute per client IP; 429 above it. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Webhooks may target private and loopback addresses (over http too). Off by default: no SSRF into the network. */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false', '1', '0'], 'expected true or false')
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  /** SMTP server for notifications, e.g. smtp://user:pass@mail.internal:587; unset: notifications are logged. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'expected smtp://host:port or smtps://host:port')
    .optional(),
  SMTP_FROM: z.string().min(3).default('Order review <order-review@localhost>'),
  /** The address people reach the console at (links in mails, tracking links); default the API's own. */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  /** Key (32 bytes, base64) sealing webhook secrets and tracking tokens; default DATA_DIR/secret-key. */
  SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  /**
   * Bearer token GET /metrics (API and worker) requires. Unset: /metrics answers loopback clients only, so a
   * process listening on a public address does not publish its figures to anyone who asks.
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * The worker's metrics endpoint (its own figures and the Temporal SDK's). Unset: none; under npm start the
   * worker's figures are then part of the API's /metrics. `0` picks a free port (the worker logs which).
   */
  WORKER_METRICS_PORT: port.optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** TLS / mTLS and API key for TEMPORAL_ADDRESS (temporal-connection.ts). */
  ...temporalConnectionEnv,
});

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  dbFile: string;
  temporalAddress: string | undefined;
  temporalSecurity: TemporalSecurity;
  namespace: string;
  taskQueue: string;
  adminToken: string | undefined;
  reviewPolicyFile: string | undefined;
  temporalDevPort: number;
  temporalUiPort: number;
  rateLimitPerMinute: number;
  authFailuresPerMinute: number;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  webhookAllowPrivate: boolean;
  smtpUrl: string | undefined;
  smtpFrom: string;
  /** Without a trailing slash; undefined: the API's own listen address. */
  publicUrl: string | undefined;
  secretsKey: string | undefined;
  metricsToken: string | undefined;
  /** Undefined: the worker serves no metrics endpoint. */
  workerMetricsPort: number | undefined;
  workerMetricsHost: string;
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings mean "unset" for every variable, as users expect from `FOO= npm start`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.superRefine(checkTemporalConnectionEnv).safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir,
    dbFile: path.join(dataDir, 'app.db'),
    temporalAddress: c.TEMPORAL_ADDRESS,
    temporalSecurity: temporalSecurityOf(c),
    namespace: c.TEMPORAL_NAMESPACE,
    taskQueue: c.TASK_QUEUE,
    adminToken: c.ADMIN_TOKEN,
    reviewPolicyFile: c.REVIEW_POLICY_FILE ? path.resolve(c.REVIEW_POLICY_FILE) : undefined,
    temporalDevPort: c.TEMPORAL_DEV_PORT,
    temporalUiPort: c.TEMPORAL_UI_PORT,
    rateLimitPerMinute: c.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: c.AUTH_FAILURES_PER_MINUTE,
    logLevel: c.LOG_LEVEL,
    webhookAllowPrivate: c.WEBHOOK_ALLOW_PRIVATE ?? false,
    smtpUrl: c.SMTP_URL,
    smtpFrom: c.SMTP_FROM,
    publicUrl: c.PUBLIC_URL?.replace(/\/+$/, ''),
    secretsKey: c.SECRETS_KEY,
    metricsToken: c.METRICS_TOKEN,
    workerMetricsPort: c.WORKER_METRICS_PORT,
    workerMetricsHost: c.WORKER_METRICS_HOST,
  };
}

/** For entry points: the configuration, or the reason it is invalid on stderr and exit code 2. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(2);
  }
}

/** The URL people reach this API at: PUBLIC_URL, else its own listen address. */
export function publicUrlOf(config: Pick<AppConfig, 'publicUrl' | 'host' | 'port'>): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return `http://${host}:${config.port}`;
}

/** The review policy in force for new orders: REVIEW_POLICY_FILE when set, else the built-in policy. */
export function loadReviewPolicy(config: Pick<AppConfig, 'reviewPolicyFile'>): ResolvedPolicy {
  if (!config.reviewPolicyFile) return parsePolicy(BUILT_IN_POLICY);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(config.reviewPolicyFile, 'utf8'));
  } catch (err) {
    throw new ConfigError(`REVIEW_POLICY_FILE ${config.reviewPolicyFile}: ${(err as Error).message}`);
  }
  try {
    return parsePolicy(json);
  } catch (err) {
    throw new ConfigError(`REVIEW_POLICY_FILE ${config.reviewPolicyFile} is not a valid policy:\n${(err as Error).message}`);
  }
}

/** For entry points: the review policy, or why it is invalid on stderr and exit code 2, before anything starts. */
export function loadReviewPolicyOrExit(config: Pick<AppConfig, 'reviewPolicyFile'>): ResolvedPolicy {
  try {
    return loadReviewPolicy(config);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(2);
  }
}
