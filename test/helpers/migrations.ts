/** Databases as an older release left them: for the tests of a migration that must upgrade such a file. */
import fs from 'node:fs';
import path from 'node:path';

const MIGRATIONS = path.resolve(__dirname, '../../db/migrations');

/**
 * A copy of db/migrations in `dir` that ends just before the migration `tag` (e.g. '0011_kpi_facts'): migrate a new
 * file with it, write what the older release would have written, then open it with `openDatabase` to run the rest.
 */
export function migrationsBefore(dir: string, tag: string): string {
  const out = path.join(dir, `migrations-before-${tag}`);
  fs.mkdirSync(path.join(out, 'meta'), { recursive: true });
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  if (cut <= 0) throw new Error(`no migration ${tag} after the first in db/migrations/meta/_journal.json`);
  journal.entries = journal.entries.slice(0, cut);
  fs.writeFileSync(path.join(out, 'meta/_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) fs.copyFileSync(path.join(MIGRATIONS, `${e.tag}.sql`), path.join(out, `${e.tag}.sql`));
  return out;
}
