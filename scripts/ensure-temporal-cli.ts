/**
 * postinstall: makes sure a Temporal CLI is available for `npm start` and `npm test`, building it with Go once
 * per machine when needed. A missing Go does not fail `npm install` (the user may use TEMPORAL_ADDRESS or have
 * internet for the SDK's download); a Go build that was attempted and failed does.
 */
import { resolveTemporalCli, temporalCliHelp, TemporalCliError } from './temporal-cli';

async function main(): Promise<number> {
  const log = (msg: string): void => console.log(`[temporal-cli] ${msg}`);
  if (process.env.TEMPORAL_ADDRESS) {
    log('TEMPORAL_ADDRESS is set: no embedded Temporal server needed, skipping');
    return 0;
  }
  if (process.env.SKIP_TEMPORAL_CLI === '1') {
    log('SKIP_TEMPORAL_CLI=1: skipping');
    return 0;
  }
  try {
    const cli = await resolveTemporalCli({ build: true, log });
    if (!cli) console.warn(`[temporal-cli] ${temporalCliHelp().replace(/\n/g, '\n[temporal-cli] ')}`);
    return 0;
  } catch (err) {
    if (err instanceof TemporalCliError) {
      console.error(`[temporal-cli] ${err.message}`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('[temporal-cli] unexpected error:', err);
    process.exitCode = 1;
  },
);
