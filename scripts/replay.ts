/**
 * Replays an order's workflow history against the current workflow code.
 *
 *   npm run replay -- <history.json>         a file (GET /v1/orders/{id}/history, `temporal workflow show --output json`)
 *   npm run replay -- --order <orderId>      the archived history from the app db (DATA_DIR), else Temporal's
 *   add --json to print the verdict as JSON
 *
 * A file needs no server. --order uses TEMPORAL_ADDRESS, or the embedded dev server's port, when the order is not
 * archived yet. Exit code: 0 deterministic, 1 not deterministic, 2 usage or input error.
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { HistoryInputError, parseHistory, replayHistory, type ReplayVerdict } from '../api/services/replay';
import { fetchTemporalHistory, readArchivedHistory } from '../api/services/history';
import { ConfigError, loadConfig } from '../config';
import { closeDatabase, openDatabase } from '../db/client';
import { temporalAddressOf, temporalConnectionOptions } from '../temporal-connection';

const USAGE = 'usage: npm run replay -- <history.json> | --order <orderId>  [--json]';

class UsageError extends Error {}

interface Args {
  file?: string;
  orderId?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--order') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new UsageError('--order needs an order id');
      args.orderId = v;
    } else if (a.startsWith('--order=')) args.orderId = a.slice('--order='.length);
    else if (a === '--help' || a === '-h') throw new UsageError('');
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (args.file) throw new UsageError('give one history file');
    else args.file = a;
  }
  if (!args.file === !args.orderId) throw new UsageError('give either a history file or --order <orderId>');
  return args;
}

function readFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

async function loadOrderHistory(orderId: string): Promise<unknown> {
  const config = loadConfig();
  // The archive alone answers for a finished order: no Temporal needed. Never create an app db where there is
  // none: open it only when it exists, and without migrating it.
  if (fs.existsSync(config.dbFile)) {
    const db = openDatabase(config.dbFile, { migrate: false });
    try {
      const archived = readArchivedHistory(db, orderId);
      if (archived) return archived;
    } finally {
      closeDatabase(db);
    }
  }
  const address = temporalAddressOf(config);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: 5_000 });
  } catch (err) {
    throw new UsageError(`order ${orderId} is not archived in ${config.dbFile}, and Temporal at ${address} is unreachable: ${(err as Error).message}`);
  }
  try {
    const history = await fetchTemporalHistory(new Client({ connection, namespace: config.namespace }), orderId);
    if (!history) throw new UsageError(`no history for order ${orderId}: not archived in ${config.dbFile} and unknown to Temporal at ${address}`);
    return history;
  } finally {
    await connection.close();
  }
}

function print(verdict: ReplayVerdict, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(verdict, null, 2));
    return;
  }
  if (verdict.deterministic) console.log(`deterministic: ${verdict.workflowId} replays identically on the current workflow code`);
  else console.log(`NOT deterministic: ${verdict.workflowId}\n  ${verdict.error}`);
}

async function main(): Promise<number> {
  // Core's own warnings repeat what the verdict says.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    const msg = (err as Error).message;
    console.error(msg ? `${msg}\n${USAGE}` : USAGE);
    return 2;
  }
  try {
    const body = args.file ? readFile(args.file) : await loadOrderHistory(args.orderId!);
    const verdict = await replayHistory(parseHistory(body), { timeoutMs: 120_000 });
    print(verdict, args.json);
    return verdict.deterministic ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof HistoryInputError) {
      const fields = err.errors.map((e) => `\n  ${e.path}: ${e.message}`).join('');
      console.error(`not a replayable history: ${err.message}${fields}`);
      return 2;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('replay failed:', err);
    process.exit(2);
  },
);
