/**
 * The committed histories of the replay gate, one folder per release (test/replay/histories/<release>/*.json,
 * written by scripts/capture-histories.ts): orders started on each release may still be running on the next one,
 * so every release's histories must replay on the current code. A release's folder is removed only once no run of
 * it can remain.
 */
import fs from 'node:fs';
import path from 'node:path';

const DIR = path.join(__dirname, 'histories');

export interface CommittedHistory {
  /** `<release>/<path>`, e.g. `v1.0/clean-auto-approval`. */
  name: string;
  release: string;
  path: string;
  /** The workflow type the history is of (order reviews and event relays). */
  workflowType: string;
  json: unknown;
}

function workflowTypeOf(json: unknown): string {
  const first = (json as { events?: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] }).events?.[0];
  return first?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';
}

export function committedHistories(): CommittedHistory[] {
  return fs
    .readdirSync(DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .flatMap((release) =>
      fs
        .readdirSync(path.join(DIR, release))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => {
          const json = JSON.parse(fs.readFileSync(path.join(DIR, release, f), 'utf8')) as unknown;
          const p = f.replace(/\.json$/, '');
          return { name: `${release}/${p}`, release, path: p, workflowType: workflowTypeOf(json), json };
        }),
    );
}
