/**
 * JSON logs for every process: one object per line on stdout with `level` (a word), `time` (ISO 8601), `name` (which
 * part of the product wrote it: api, worker, start, dev-server) and the message, via pino. The API's Fastify logger
 * takes the same options; the worker hands Temporal's Runtime a Logger that writes through pino (temporalLogger).
 */
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import pino, { type Logger, type LoggerOptions } from 'pino';
import type { AppConfig } from '../config';

export type ProcessName = 'api' | 'worker' | 'start' | 'dev-server';
export type LogLevel = AppConfig['logLevel'];

/** pino options shared by every process (Fastify accepts them as its `logger`). */
export function logOptions(name: ProcessName, level: LogLevel): LoggerOptions {
  return {
    name,
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // `"level":"info"` rather than 30: readable by people and by log shippers without a mapping table.
    formatters: { level: (label) => ({ level: label }) },
  };
}

export function createLogger(name: ProcessName, level: LogLevel): Logger {
  return pino(logOptions(name, level));
}

/**
 * The level of a process's lifecycle lines (listening, polling, ready, stopping): at least info, whatever quieter
 * LOG_LEVEL was chosen (warn keeps request and SDK chatter out, not the news that the process is up), unless silent.
 */
export function lifecycleLevel(level: LogLevel): LogLevel {
  return level === 'silent' || level === 'trace' || level === 'debug' ? level : 'info';
}

/** A logger for a process's lifecycle lines (see lifecycleLevel). */
export function createLifecycleLogger(name: ProcessName, level: LogLevel): Logger {
  return createLogger(name, lifecycleLevel(level));
}

/** workflowIdFor() in workflows/messages.ts: `order-<orderId>`. */
const ORDER_WORKFLOW_PREFIX = 'order-';

const TO_PINO: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Temporal's level for the SDK core's own log filter: no finer than what pino would print anyway. */
export function temporalLevelOf(level: LogLevel): TemporalLogLevel {
  switch (level) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}

/**
 * The Temporal Runtime's logger, writing through pino: the SDK's own lines, the workflow `log` (replay-aware, with
 * the workflow's id and type) and the activity context's `log` (with the activity's attributes) all come out as
 * JSON lines of the worker.
 */
export function temporalLogger(log: Logger): TemporalLogger {
  const write = (level: TemporalLogLevel, message: string, meta?: LogMetadata): void => {
    const fields: Record<string, unknown> = { ...meta };
    // Every line about an order's workflow (the SDK's own, its activities') names the order, not only its workflow id.
    const workflowId = fields.workflowId;
    if (fields.orderId === undefined && typeof workflowId === 'string' && workflowId.startsWith(ORDER_WORKFLOW_PREFIX)) {
      fields.orderId = workflowId.slice(ORDER_WORKFLOW_PREFIX.length);
    }
    // The SDK passes errors under `error` or `failure`: pino serialises them (message, stack) under `err`.
    for (const key of ['error', 'failure'] as const) {
      if (fields[key] instanceof Error) {
        fields.err = fields[key];
        delete fields[key];
      }
    }
    log[TO_PINO[level]](fields, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
