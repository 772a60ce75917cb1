/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: every line must be a comment,
 * HELP, TYPE, blank, or a well-formed sample; each metric family is declared once; a histogram's samples carry
 * its name with _bucket/_sum/_count. Throws on the first malformed line, naming it.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Go's ParseFloat, which Prometheus uses: NaN and Inf in any case ("Nan" is what prom-client writes). */
function parseValue(text: string, line: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${JSON.stringify(text)} in: ${line}`);
  return Number(text);
}

/** Parses `{a="x",b="y\"z"}` starting at `i` (at the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error(`label without = in: ${line}`);
    const name = line.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`bad label name ${JSON.stringify(name)} in: ${line}`);
    if (line[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = line[j];
      if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const n = line[j + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else throw new Error(`bad escape in: ${line}`);
        j += 2;
      } else {
        value += c;
        j += 1;
      }
    }
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') throw new Error(`expected , or } in: ${line}`);
  }
  return { labels, end: i + 1 };
}

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) continue; // a plain comment
      const [, kind, name, rest] = m;
      if (!NAME.test(name!)) throw new Error(`bad metric name in: ${line}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest ?? '')) throw new Error(`bad type in: ${line}`);
        if (types.has(name!)) throw new Error(`TYPE of ${name} declared twice`);
        types.set(name!, rest!);
      } else {
        if (helps.has(name!)) throw new Error(`HELP of ${name} declared twice`);
        helps.add(name!);
      }
      continue;
    }
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let restAt: number;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      const parsed = parseLabels(line, brace);
      labels = parsed.labels;
      restAt = parsed.end;
    } else {
      name = line.slice(0, space);
      restAt = space;
    }
    if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
    if (line[restAt] !== ' ') throw new Error(`expected a space before the value in: ${line}`);
    const parts = line.slice(restAt + 1).split(' ');
    if (parts.length < 1 || parts.length > 2) throw new Error(`expected value [timestamp] in: ${line}`);
    const value = parseValue(parts[0]!, line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`bad timestamp in: ${line}`);
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');
    const type = types.get(family);
    if (type === 'histogram' && name !== family && !/_(bucket|sum|count)$/.test(name)) throw new Error(`histogram sample ${name} in: ${line}`);
    if (type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined) throw new Error(`bucket without le in: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; undefined when none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
