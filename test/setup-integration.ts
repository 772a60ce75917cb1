/**
 * Per test file (forks pool: one process each): a quiet Temporal runtime. Worker state changes at INFO drown the
 * test output; TEST_LOG_LEVEL=DEBUG (or INFO) brings them back when debugging.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const level = (process.env.TEST_LOG_LEVEL?.toUpperCase() ?? 'WARN') as LogLevel;
Runtime.install({ logger: new DefaultLogger(level) });
