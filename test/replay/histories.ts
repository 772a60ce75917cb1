/** The committed histories of the replay gate (test/replay/histories/*.json), written by scripts/capture-histories.ts. */
import fs from 'node:fs';
import path from 'node:path';

const DIR = path.join(__dirname, 'histories');

export function committedHistories(): { name: string; json: unknown }[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), json: JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as unknown }));
}
