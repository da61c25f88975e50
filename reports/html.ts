// `conform report run.json --html out.html`: one run as one self-contained page for people:
// the verdict and where the run happened, every outcome counted, each area and each
// requirement, and each failure with what was expected and found, the requirement it
// checks (level, our summary, the spec's section), the runtime's calls and stderr. A
// filter (text and outcomes) narrows the case list and the failures. Prints as it shows.
import type { CaseResult, CheckOutcome, Failure, Outcome, RunSummary } from '../harness/run/result.js';
import { CONVENTIONS, OUTCOMES } from '../harness/run/result.js';
import { el, page, type Child, type Html } from './html-doc.js';
import { requirementVerdicts, type RequirementVerdict } from './json.js';
import { toPlain } from './plain.js';
import { requirementInfo } from './requirements.js';
import { byId, describeRuntime, formatDuration } from './text.js';
import { wallMs } from './wall.js';

/** Background of each outcome, shared with the matrix page. */
export const OUTCOME_COLOUR: Readonly<Record<Outcome, string>> = {
  pass: '#d4f4d4',
  warn: '#fbefc0',
  fail: '#f8c8c8',
  error: '#f4b0b0',
  xfail: '#f4e4c4',
  xpass: '#c8e0f8',
  disputed: '#e8d8f4',
  skip: '#eeeeee',
};

/** What each outcome means, for the legend and tooltips. */
export const OUTCOME_MEANING: Readonly<Record<Outcome, string>> = {
  pass: 'the runtime did what the spec requires',
  warn: 'the MUSTs held, but a SHOULD or MAY was not followed: reported, never a failure',
  fail: 'the runtime broke a requirement (not in the baseline)',
  error: 'conform could not carry the case out; not blamed on the runtime',
  xfail: 'a failure the baseline expects',
  xpass: 'the baseline expects a failure, and it passed: shrink the baseline',
  disputed: 'the spec leaves room here: recorded, no verdict',
  skip: 'could not run here (the reason names what was missing)',
};

const VERDICT_ORDER: readonly RequirementVerdict[] = ['fail', 'error', 'warn', 'disputed', 'incomplete', 'untested', 'pass'];

/** Outcomes whose cases get a section of their own, worst first. */
const DETAILED: readonly Outcome[] = ['fail', 'error', 'warn', 'xpass', 'xfail', 'disputed'];

/** What a case found about one requirement, as the case list shows its outcome. */
const CHECK_COLOUR: Readonly<Record<CheckOutcome, string>> = { ...OUTCOME_COLOUR, unchecked: '#ffffff' };

export const PAGE_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.5em 0 .5em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right}
.badge{display:inline-block;padding:1px 8px;border-radius:3px;font-weight:bold}
.PASS{background:#2a2;color:#fff}.FAIL{background:#c22;color:#fff}.PARTIAL{background:#c80;color:#fff}
.o{white-space:nowrap;font-weight:600}
pre{background:#f8f8f8;border:1px solid #ddd;padding:4px 6px;white-space:pre-wrap;word-break:break-word;margin:.2em 0}
section.case{border:1px solid #ccc;border-left-width:6px;margin:.6em 0;padding:.3em .6em;break-inside:avoid}
section.case h3{font-size:1em;margin:.2em 0}
.msg{color:#444}.muted{color:#666;font-size:.9em}.convention{color:#865;font-size:.9em}
#filters{position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd;z-index:1}
#filters label{margin-right:.8em;white-space:nowrap}
.hidden{display:none}
@media print{#filters{display:none}details{display:block}details>*{display:block}section.case{page-break-inside:avoid}}
`;

const SCRIPT = `
(function () {
  var text = document.getElementById('filter');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[data-outcome]'));
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-case]'));
  var shown = document.getElementById('shown');
  function apply() {
    var words = text.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute('data-outcome')] = b.checked; });
    var rows = 0;
    items.forEach(function (item) {
      var hay = item.getAttribute('data-search');
      var visible = on[item.getAttribute('data-outcome')] !== false && words.every(function (w) { return hay.indexOf(w) >= 0; });
      item.classList.toggle('hidden', !visible);
      if (visible && item.tagName === 'TR') rows++;
    });
    shown.textContent = String(rows);
  }
  text.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
`;

function outcomeCell(o: Outcome, text: string = o): Html {
  return el('span', { class: 'o', style: `background:${OUTCOME_COLOUR[o]}`, title: OUTCOME_MEANING[o] }, text);
}

function checkCell(o: CheckOutcome): Html {
  return el(
    'span',
    {
      class: 'o',
      style: `background:${CHECK_COLOUR[o]}`,
      title: o === 'unchecked' ? 'the case stopped on another requirement before it got to this one' : undefined,
    },
    o,
  );
}

function pretty(value: unknown): string {
  return JSON.stringify(toPlain(value), null, 2) ?? 'undefined';
}

/** `runc 1.1.5` from `/usr/bin/runc` and `runc version 1.1.5`: the runtime's name and version. */
export function runtimeTitle(s: Pick<RunSummary, 'runtime'>): string {
  const name = s.runtime.path.split('/').pop() || s.runtime.path;
  const version = s.runtime.version?.replace(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+(version\\s+)?`, 'i'), '');
  return [name, version, ...s.runtime.args].filter(Boolean).join(' ');
}

function verdictOf(s: RunSummary): 'PASS' | 'FAIL' | 'PARTIAL' {
  return s.partial ? 'PARTIAL' : s.exitCode === 0 ? 'PASS' : 'FAIL';
}

function facts(s: RunSummary): Html {
  const c = s.context;
  const rows: [string, Child][] = [
    ['runtime', describeRuntime(s.runtime)],
    ['conform', c.conform],
    ['plan', `${c.plan.cases} cases, hash ${c.plan.hash}${c.plan.shard ? `, shard ${c.plan.shard.index} of ${c.plan.shard.count}` : ''}`],
    ['host', `${c.host.hostname}: Linux ${c.host.kernel}, ${c.host.arch}, cgroup ${c.host.cgroup}`],
    ['started', `${s.startedAt} (${formatDuration(s.durationMs)})`],
    ['gate', `${c.baseline ? `baseline ${c.baseline.file}` : 'no baseline'}${c.strict ? ', --strict' : ''}; exit code ${s.exitCode}`],
  ];
  if (c.shards)
    rows.push(['merged from', c.shards.map((sh) => `shard ${sh.index}: ${sh.host.hostname}, ${sh.startedAt}, ${formatDuration(sh.durationMs)}`).join('; ')]);
  if (s.partial) rows.push(['partial', `${s.partial.reason}: ${s.partial.notRun.length} planned case(s) not run`]);
  return el(
    'table',
    { id: 'facts' },
    el(
      'tbody',
      {},
      rows.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))),
    ),
  );
}

function counts(s: RunSummary): Html {
  const total = OUTCOMES.reduce((n, o) => n + (s.counts[o] ?? 0), 0);
  return el(
    'table',
    { id: 'counts' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        OUTCOMES.map((o) => el('th', {}, outcomeCell(o))),
        el('th', {}, 'total'),
      ),
    ),
    el(
      'tbody',
      {},
      el(
        'tr',
        {},
        OUTCOMES.map((o) => el('td', { class: 'n', 'data-outcome': o, 'data-count': s.counts[o] ?? 0 }, s.counts[o] ?? 0)),
        el('td', { class: 'n', 'data-count-total': total }, total),
      ),
    ),
  );
}

function areas(results: readonly CaseResult[]): Html {
  const by = new Map<string, CaseResult[]>();
  for (const r of results) by.set(r.area, [...(by.get(r.area) ?? []), r]);
  const rows = [...by].sort(([a], [b]) => (a < b ? -1 : 1));
  return el(
    'table',
    { id: 'areas' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'area'),
        OUTCOMES.map((o) => el('th', {}, o)),
        el('th', {}, 'time'),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map(([area, rs]) =>
        el(
          'tr',
          {},
          el('td', {}, area),
          OUTCOMES.map((o) => {
            const n = rs.filter((r) => r.outcome === o).length;
            return el('td', { class: 'n', style: n && o !== 'pass' ? `background:${OUTCOME_COLOUR[o]}` : undefined }, n || '');
          }),
          el('td', { class: 'n' }, formatDuration(wallMs(rs))),
        ),
      ),
    ),
  );
}

function requirements(results: readonly CaseResult[]): Html {
  const verdicts = Object.entries(requirementVerdicts(results));
  verdicts.sort(([a, x], [b, y]) => VERDICT_ORDER.indexOf(x.verdict) - VERDICT_ORDER.indexOf(y.verdict) || (a < b ? -1 : 1));
  const tally = VERDICT_ORDER.map((v) => `${verdicts.filter(([, r]) => r.verdict === v).length} ${v}`).join(', ');
  return el(
    'details',
    { id: 'requirements', open: true },
    el('summary', {}, `${verdicts.length} requirements cited: ${tally}`),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, 'verdict'),
          el('th', {}, 'requirement'),
          el('th', {}, 'level'),
          el('th', {}, 'what it asks (our words; the link is the spec)'),
          el('th', {}, 'cases'),
        ),
      ),
      el(
        'tbody',
        {},
        verdicts.map(([id, rep]) => {
          const info = requirementInfo(id);
          return el(
            'tr',
            { 'data-verdict': rep.verdict },
            el('td', { class: 'o' }, rep.verdict),
            el('td', {}, info.url ? el('a', { href: info.url }, id) : id),
            el('td', {}, `${rep.level}${info.inferred ? ' (inferred)' : ''}`),
            el('td', {}, info.summary ?? ''),
            el(
              'td',
              {},
              Object.entries(rep.cases).map(([caseId, o], i) => [i ? ', ' : '', el('a', { href: `#case-${caseId}` }, caseId), ' ', checkCell(o)]),
            ),
          );
        }),
      ),
    ),
  );
}

function failureBlock(f: Failure): Html {
  return el(
    'div',
    { class: 'failure' },
    el('div', {}, f.message, f.requirement ? el('span', { class: 'muted' }, ` (${f.requirement})`) : null),
    f.expected !== undefined ? [el('div', { class: 'muted' }, 'expected'), el('pre', { class: 'expected' }, pretty(f.expected))] : null,
    f.actual !== undefined ? [el('div', { class: 'muted' }, 'found'), el('pre', { class: 'found' }, pretty(f.actual))] : null,
  );
}

function search(r: CaseResult): string {
  return `${r.id} ${r.title} ${r.outcome} ${r.message ?? ''} ${r.convention ?? ''}`.toLowerCase();
}

/** A case that checks a convention beyond the spec says so: its failure breaks no requirement. */
function conventionMark(r: CaseResult): Html | null {
  return r.convention
    ? el(
        'span',
        { class: 'convention', title: `${CONVENTIONS[r.convention]}: a failure here breaks no requirement of the spec` },
        ` [${r.convention} convention]`,
      )
    : null;
}

function caseSection(r: CaseResult): Html {
  return el(
    'section',
    {
      class: 'case',
      id: `case-${r.id}`,
      'data-case': true,
      'data-outcome': r.outcome,
      'data-search': search(r),
      style: `border-left-color:${OUTCOME_COLOUR[r.outcome]}`,
    },
    el('h3', {}, outcomeCell(r.outcome), ' ', r.id, ' ', el('span', { class: 'muted' }, r.title), conventionMark(r)),
    r.message ? el('div', { class: 'msg' }, r.message) : null,
    r.failures.map(failureBlock),
    r.checks.length
      ? el(
          'ul',
          { class: 'reqs' },
          r.checks.map((c) => {
            const info = requirementInfo(c.id);
            return el('li', {}, checkCell(c.outcome), ' ', info.url ? el('a', { href: info.url }, c.id) : c.id, ` (${c.level}) `, info.summary ?? '');
          }),
        )
      : null,
    r.runtimeLog ? [el('div', { class: 'muted' }, "the runtime's calls, exits and stderr"), el('pre', { class: 'stderr' }, r.runtimeLog)] : null,
    r.notes.map((n) => el('div', { class: 'muted' }, `note: ${n}`)),
    r.dir ? el('div', { class: 'muted' }, `files: ${r.dir}`) : null,
  );
}

function caseTable(results: readonly CaseResult[]): Html {
  return el(
    'table',
    { id: 'cases' },
    el('thead', {}, el('tr', {}, el('th', {}, 'outcome'), el('th', {}, 'case'), el('th', {}, 'what it checks'), el('th', {}, 'why'), el('th', {}, 'time'))),
    el(
      'tbody',
      {},
      results.map((r) =>
        el(
          'tr',
          { 'data-case': true, 'data-outcome': r.outcome, 'data-search': search(r) },
          el('td', {}, outcomeCell(r.outcome)),
          el('td', {}, DETAILED.includes(r.outcome) ? el('a', { href: `#case-${r.id}` }, r.id) : r.id, conventionMark(r)),
          el('td', {}, r.title),
          el('td', { class: 'msg' }, r.message ?? ''),
          el('td', { class: 'n' }, formatDuration(r.durationMs)),
        ),
      ),
    ),
  );
}

export function renderRunHtml(s: RunSummary): string {
  const results = byId(s.results);
  const verdict = verdictOf(s);
  const title = `conform: ${runtimeTitle(s)}: ${verdict}`;
  const detailed = DETAILED.flatMap((o) => results.filter((r) => r.outcome === o));
  const filters = el(
    'div',
    { id: 'filters' },
    el('label', {}, 'filter ', el('input', { id: 'filter', type: 'search', placeholder: 'id, title or message' })),
    OUTCOMES.map((o) => el('label', {}, el('input', { type: 'checkbox', 'data-outcome': o, checked: true }), ' ', outcomeCell(o))),
    el('span', { class: 'muted' }, el('span', { id: 'shown' }, results.length), ` of ${results.length} cases shown`),
  );
  const body: Child[] = [
    el('h1', {}, `conform: ${runtimeTitle(s)} `, el('span', { class: `badge ${verdict}`, id: 'verdict' }, verdict)),
    s.partial ? el('p', { class: 'badge PARTIAL' }, `Partial run: ${s.partial.reason}; ${s.partial.notRun.length} planned case(s) have no result.`) : null,
    facts(s),
    el('h2', {}, 'Outcomes'),
    counts(s),
    el(
      'ul',
      { class: 'muted' },
      OUTCOMES.map((o) => el('li', {}, el('b', {}, o), `: ${OUTCOME_MEANING[o]}`)),
    ),
    el('h2', {}, 'Areas'),
    areas(results),
    el('h2', {}, 'Requirements'),
    requirements(results),
    filters,
    el('h2', {}, `Failures and findings (${detailed.length})`),
    detailed.length ? detailed.map(caseSection) : el('p', {}, 'None.'),
    el('h2', {}, 'Every case'),
    caseTable(results),
    s.partial?.notRun.length ? [el('h2', {}, `Not run (${s.partial.notRun.length})`), el('p', { class: 'muted' }, s.partial.notRun.join(', '))] : null,
    s.runtime.features !== undefined
      ? [el('h2', {}, "The runtime's features"), el('details', {}, el('summary', {}, 'what `features` printed'), el('pre', {}, pretty(s.runtime.features)))]
      : null,
  ];
  return page(title, PAGE_CSS, body, SCRIPT);
}
