// `conform baseline --from run.json [--update FILE]`: a baseline written from a run. It
// keeps the reasons a person wrote, adds each new failure with a TODO reason for a person
// to write, and drops the entries whose cases now pass. It judges on the run's own host
// facts (the report records them), so conditional entries for other hosts stay as they are.
import { applicable, SECTIONS, TODO_REASON, UNSTABLE_PREFIX, XFAIL_PREFIX, type BaselineFile, type Entry, type Section } from './baseline.js';
import type { RunSummary } from './result.js';

export interface BaselineUpdate {
  data: BaselineFile;
  /** One line per change, for the person who reviews the diff. */
  changes: string[];
}

function todo(message: string | undefined): string {
  const seen = (message ?? '').replace(/\s+/g, ' ').trim();
  return `${TODO_REASON}: write why this case fails${seen ? ` (conform saw: ${seen.length > 200 ? `${seen.slice(0, 199)}…` : seen})` : ''}`;
}

export function updateBaseline(existing: BaselineFile | undefined, run: RunSummary, knownIds: ReadonlySet<string>): BaselineUpdate {
  const host = run.context.host;
  const data: BaselineFile = {
    ...((existing?.runtime ?? run.runtime.version) ? { runtime: existing?.runtime ?? run.runtime.version } : {}),
    expectedFailures: structuredClone(existing?.expectedFailures ?? {}),
    notImplemented: structuredClone(existing?.notImplemented ?? {}),
    unstable: structuredClone(existing?.unstable ?? {}),
    ...(existing?.keys ? { keys: existing.keys } : {}),
  };
  const changes: string[] = [];
  const remove = (s: Section, id: string, entry: Entry, why: string) => {
    const left = data[s][id]!.filter((e) => e !== entry);
    if (left.length) data[s][id] = left;
    else delete data[s][id];
    changes.push(`- ${id}: ${why} (${s}: ${entry.reason})`);
  };

  for (const s of SECTIONS) {
    for (const id of Object.keys(data[s])) {
      if (!knownIds.has(id)) {
        delete data[s][id];
        changes.push(`- ${id}: not a case of this conform (renamed or removed)`);
      }
    }
  }

  let errors = 0;
  for (const r of run.results) {
    const found = SECTIONS.map((s) => ({ s, entry: applicable(data[s][r.id] ?? [], host) })).find((x) => x.entry);
    switch (r.outcome) {
      case 'xpass':
        if (found?.entry) remove(found.s, r.id, found.entry, 'passes now');
        break;
      case 'fail':
      case 'xfail': {
        if (found?.entry) break;
        if (applicable(data.notImplemented[r.id] ?? [], host)) break;
        // A fail is new; an xfail the run's baseline expected (or knew as unstable) but this file lacks keeps that baseline's reason and section.
        const into: Section = r.outcome === 'xfail' && r.message?.startsWith(UNSTABLE_PREFIX) ? 'unstable' : 'expectedFailures';
        const prefix = into === 'unstable' ? UNSTABLE_PREFIX : XFAIL_PREFIX;
        const reason = r.outcome === 'xfail' && r.message?.startsWith(prefix) ? r.message.slice(prefix.length) : todo(r.message);
        // After any conditional entries for other hosts, unconditional: it applies here.
        data[into][r.id] = [...(data[into][r.id] ?? []), { reason }];
        changes.push(`+ ${r.id}: ${into === 'unstable' ? '(unstable) ' : ''}${reason}`);
        break;
      }
      case 'error':
        errors++;
        break;
      default:
        break;
    }
  }
  if (errors) changes.push(`  (${errors} harness error(s) left out: conform could not carry those cases out; they say nothing about the runtime)`);
  if (run.partial) changes.push(`  (a partial run: ${run.partial.notRun.length} case(s) not run, their entries kept)`);
  return { data, changes };
}

/**
 * The file's text: ids sorted, one entry as a string (or an object with its conditions),
 * several as a list; the file's other keys kept where they were.
 */
export function formatBaseline(data: BaselineFile): string {
  const compact = (entries: readonly Entry[]): unknown => {
    const one = (e: Entry) => (e.when ? { reason: e.reason, when: e.when } : e.reason);
    return entries.length === 1 ? one(entries[0]!) : entries.map(one);
  };
  const sorted = (s: Section) =>
    Object.fromEntries(
      Object.keys(data[s])
        .sort()
        .map((id) => [id, compact(data[s][id]!)]),
    );
  const ours: Record<string, unknown> = {
    ...(data.runtime ? { runtime: data.runtime } : {}),
    expectedFailures: sorted('expectedFailures'),
    ...(Object.keys(data.notImplemented).length ? { notImplemented: sorted('notImplemented') } : {}),
    ...(Object.keys(data.unstable).length ? { unstable: sorted('unstable') } : {}),
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of data.keys ?? []) {
    if (key in ours) out[key] = ours[key];
    else if (key !== 'runtime' && !(SECTIONS as readonly string[]).includes(key)) out[key] = value;
  }
  for (const [key, value] of Object.entries(ours)) if (!(key in out)) out[key] = value;
  return `${JSON.stringify(out, null, 2)}\n`;
}
