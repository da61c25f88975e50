// Known-failure baselines: the cases a runtime is expected to fail, each with a
// one-line reason, and the cases it skips because it does not implement what they
// check. They turn the suite into a CI gate, and unexpected passes are reported so
// that baselines shrink.
//
// The file (docs/baselines.md):
//
//   { "runtime": "runc 1.1.5",
//     "expectedFailures": { "<case id>": ENTRY, … },
//     "notImplemented":   { "<case id>": ENTRY, … },         (optional)
//     "unstable":         { "<case id>": ENTRY, … } }        (optional)
//
//   ENTRY:  "<reason>"
//         | { "reason": "<reason>", "when": { "cgroup": "v2" | [...], "kernel": ">=5.15 <6.2", "arch": "x64" | [...] } }
//         | [ { "reason": …, "when": … }, … ]      the first whose `when` holds on the run's host applies
//
// An unstable case is one the runtime fails in some runs and passes in others (a race in
// the runtime, shown in its reason): a failure is expected, a pass is no xpass.
// An entry with a `when` applies only on hosts that match all of it (cgroup mode, kernel
// release range, Node's name for the architecture). A reason that starts with TODO is
// one `conform baseline --update` added for a person to write.
import { readFileSync } from 'node:fs';
import { SetupError } from '../errors.js';
import type { CaseResult, RunContext } from './result.js';

/** The host facts an entry's `when` may test: those every report records. */
export type HostFacts = Pick<RunContext['host'], 'kernel' | 'cgroup'> & Partial<Pick<RunContext['host'], 'arch'>>;

export interface When {
  cgroup?: string | string[];
  kernel?: string;
  arch?: string | string[];
}

export interface Entry {
  reason: string;
  when?: When;
}

export type Section = 'expectedFailures' | 'notImplemented' | 'unstable';
export const SECTIONS: readonly Section[] = ['expectedFailures', 'notImplemented', 'unstable'];

/** A baseline file as written: every entry with its conditions. */
export interface BaselineFile {
  runtime?: string;
  expectedFailures: Record<string, Entry[]>;
  notImplemented: Record<string, Entry[]>;
  unstable: Record<string, Entry[]>;
  /** Every top-level key as the file has it, in its order: keys conform does not read (notes, comments) are kept as they are. */
  keys?: [string, unknown][];
}

/** What applies on one host. */
export interface Baseline {
  file: string;
  runtime?: string;
  /** case id → why the runtime fails it */
  expected: Map<string, string>;
  /** case id → what the runtime does not implement (the case skips: its features do not claim it) */
  notImplemented: Map<string, string>;
  /** case id → why the runtime fails it in some runs only (a race of its own) */
  unstable: Map<string, string>;
}

/** The marker of a reason still to be written. */
export const TODO_REASON = 'TODO';

/** How applyBaseline words an expected failure's message, and an unstable case's failure; the reason is what follows. */
export const XFAIL_PREFIX = 'expected failure: ';
export const UNSTABLE_PREFIX = 'a failure the baseline knows this runtime has in some runs: ';

const FORMAT = '{"expectedFailures": {"<case id>": "<reason>" or {"reason": …, "when": {…}}, …}, "notImplemented": {…}, "unstable": {…}} (docs/baselines.md)';
const WHEN_KEYS = ['cgroup', 'kernel', 'arch'] as const;

function parseEntry(where: string, value: unknown): Entry {
  if (typeof value === 'string') {
    if (!value.trim()) throw new SetupError(`${where} needs a one-line reason`);
    return { reason: value.trim() };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SetupError(`${where}: expected "<reason>" or {"reason": …, "when": {…}}`);
  const { reason, when, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length) throw new SetupError(`${where}: unknown key ${Object.keys(rest)[0]} (an entry has reason and when)`);
  if (typeof reason !== 'string' || !reason.trim()) throw new SetupError(`${where} needs a one-line reason`);
  if (when === undefined) return { reason: reason.trim() };
  if (!when || typeof when !== 'object' || Array.isArray(when))
    throw new SetupError(`${where}.when: expected an object such as {"cgroup": "v2", "kernel": ">=6.1"}`);
  const w = when as Record<string, unknown>;
  for (const key of Object.keys(w))
    if (!(WHEN_KEYS as readonly string[]).includes(key)) throw new SetupError(`${where}.when: unknown condition ${key} (conditions: ${WHEN_KEYS.join(', ')})`);
  for (const key of ['cgroup', 'arch'] as const) {
    const v = w[key];
    if (v !== undefined && typeof v !== 'string' && !(Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')))
      throw new SetupError(`${where}.when.${key}: expected a string or a list of strings`);
  }
  if (w.kernel !== undefined) {
    if (typeof w.kernel !== 'string') throw new SetupError(`${where}.when.kernel: expected a range such as ">=5.15 <6.2"`);
    parseRange(w.kernel, `${where}.when.kernel`);
  }
  return { reason: reason.trim(), when: w as When };
}

/** Reads one `{ "<case id>": ENTRY }` section; `required` sections must be there. */
function section(
  option: string,
  file: string,
  obj: Record<string, unknown>,
  key: Section,
  required: boolean,
  knownIds: ReadonlySet<string> | undefined,
  warnings: string[],
): Record<string, Entry[]> {
  const value = obj[key];
  const out: Record<string, Entry[]> = {};
  if (value === undefined && !required) return out;
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new SetupError(`${option} ${file}: expected ${FORMAT} (${key} is ${Array.isArray(value) ? 'a list' : typeof value})`);
  for (const [id, entry] of Object.entries(value as Record<string, unknown>)) {
    const where = `${option} ${file}: ${key}.${id}`;
    const list = Array.isArray(entry) ? entry : [entry];
    if (list.length === 0) throw new SetupError(`${where}: an empty list`);
    out[id] = list.map((e, i) => parseEntry(Array.isArray(entry) ? `${where}[${i}]` : where, e));
    if (knownIds && !knownIds.has(id)) warnings.push(`${file}: ${id} is not a case conform knows (renamed or removed?)`);
  }
  return out;
}

/** Reads and checks a baseline file, conditions and all; `option` names it in errors. */
export function readBaselineFile(file: string, knownIds?: ReadonlySet<string>, option = '--expect'): { data: BaselineFile; warnings: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SetupError(`${option} ${file}: cannot read it as JSON (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SetupError(`${option} ${file}: expected ${FORMAT}`);
  const obj = raw as Record<string, unknown>;
  const warnings: string[] = [];
  const data: BaselineFile = {
    ...(typeof obj['runtime'] === 'string' ? { runtime: obj['runtime'] } : {}),
    expectedFailures: section(option, file, obj, 'expectedFailures', true, knownIds, warnings),
    notImplemented: section(option, file, obj, 'notImplemented', false, knownIds, warnings),
    unstable: section(option, file, obj, 'unstable', false, knownIds, warnings),
    keys: Object.entries(obj),
  };
  for (const [i, a] of SECTIONS.entries())
    for (const b of SECTIONS.slice(i + 1))
      for (const id of Object.keys(data[a])) if (id in data[b]) throw new SetupError(`${option} ${file}: ${id} is in both ${a} and ${b}`);
  return { data, warnings };
}

/** The entry of `entries` that applies on `host`: the first whose conditions all hold. */
export function applicable(entries: readonly Entry[], host: HostFacts): Entry | undefined {
  return entries.find((e) => holds(e.when, host));
}

export function holds(when: When | undefined, host: HostFacts): boolean {
  if (!when) return true;
  const among = (want: string | string[] | undefined, have: string | undefined) =>
    want === undefined || (have !== undefined && (Array.isArray(want) ? want : [want]).includes(have));
  if (!among(when.cgroup, host.cgroup) || !among(when.arch, host.arch)) return false;
  return when.kernel === undefined || inRange(host.kernel, parseRange(when.kernel, 'kernel'));
}

type Comparison = { op: '>=' | '>' | '<=' | '<' | '='; version: number[] };

/** `>=5.15 <6.2` → two comparisons, all of which must hold; a bare version means `=` on its parts. */
function parseRange(text: string, where: string): Comparison[] {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) throw new SetupError(`${where}: an empty range`);
  return parts.map((p) => {
    const m = /^(>=|>|<=|<|=)?(\d+(?:\.\d+){0,2})$/.exec(p);
    if (!m) throw new SetupError(`${where}: ${JSON.stringify(p)} is not a comparison such as >=5.15 or <6.2`);
    return { op: (m[1] ?? '=') as Comparison['op'], version: m[2]!.split('.').map(Number) };
  });
}

function inRange(release: string, range: readonly Comparison[]): boolean {
  const have = (/^(\d+(?:\.\d+){0,2})/.exec(release)?.[1] ?? '0').split('.').map(Number);
  return range.every(({ op, version }) => {
    // Compared on the range's own precision: `<6.2` holds for 6.1.x, `=6.1` for 6.1.x.
    let cmp = 0;
    for (let i = 0; i < version.length && cmp === 0; i++) cmp = Math.sign((have[i] ?? 0) - version[i]!);
    return op === '>=' ? cmp >= 0 : op === '>' ? cmp > 0 : op === '<=' ? cmp <= 0 : op === '<' ? cmp < 0 : cmp === 0;
  });
}

/** The baseline as it applies on `host`; conditional entries for other hosts are left out. */
export function loadBaseline(file: string, knownIds: ReadonlySet<string>, host: HostFacts): { baseline: Baseline; warnings: string[] } {
  const { data, warnings } = readBaselineFile(file, knownIds);
  const pick = (s: Section): Map<string, string> => {
    const out = new Map<string, string>();
    for (const [id, entries] of Object.entries(data[s])) {
      const e = applicable(entries, host);
      if (e) out.set(id, e.reason);
    }
    return out;
  };
  const baseline: Baseline = {
    file,
    ...(data.runtime ? { runtime: data.runtime } : {}),
    expected: pick('expectedFailures'),
    notImplemented: pick('notImplemented'),
    unstable: pick('unstable'),
  };
  const todo = [...baseline.expected, ...baseline.notImplemented, ...baseline.unstable]
    .filter(([, reason]) => reason.startsWith(TODO_REASON))
    .map(([id]) => id);
  if (todo.length)
    warnings.push(
      `${file}: ${todo.length} entr${todo.length === 1 ? 'y has' : 'ies have'} no reason yet (${todo.slice(0, 3).join(', ')}${todo.length > 3 ? ', …' : ''}): write why each fails`,
    );
  return { baseline, warnings };
}

export function applyBaseline(r: CaseResult, baseline: Baseline | undefined): CaseResult {
  const reason = baseline?.expected.get(r.id);
  if (reason !== undefined) {
    if (r.outcome === 'fail' || r.outcome === 'error') return { ...r, outcome: 'xfail', message: `${XFAIL_PREFIX}${reason}` };
    if (r.outcome === 'pass') return { ...r, outcome: 'xpass', message: `unexpectedly passing; remove it from ${baseline!.file} (its reason: ${reason})` };
    // A recommendation not followed never fails a run, so it needs no baseline entry.
    if (r.outcome === 'warn')
      return { ...r, message: `${r.message ?? 'a recommendation not followed'}; a warning never fails a run: remove it from ${baseline!.file}` };
    return r;
  }
  const unstable = baseline?.unstable.get(r.id);
  if (unstable !== undefined) {
    // Its pass is no news (it passes in some runs): it stays a pass, and the entry stays.
    if (r.outcome === 'fail' || r.outcome === 'error') return { ...r, outcome: 'xfail', message: `${UNSTABLE_PREFIX}${unstable}` };
    return r;
  }
  const missing = baseline?.notImplemented.get(r.id);
  if (missing === undefined) return r;
  if (r.outcome === 'skip') return { ...r, expectedSkip: true, message: `${r.message ?? 'skipped'}; not implemented (baseline): ${missing}` };
  if (r.outcome === 'pass')
    return { ...r, outcome: 'xpass', message: `unexpectedly passing; remove it from notImplemented in ${baseline!.file} (its reason: ${missing})` };
  return r;
}
