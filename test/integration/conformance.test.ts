// conform end to end through its CLI, against real and fake runtimes. One file, so
// that these heavy runs go one after the other (two cores).
//
// The whole runs against runc and the reference runtime are the CI gate of docs/ci.md, with
// its commands: every shard in turn (`--shard i/n --json`), `conform merge` into one run's
// JSON, JUnit, TAP and HTML, which their consumers then read, and `conform baseline
// --update`, which must find the runtime's baseline current. Each whole run is made once
// (runcGate, referenceGate) and read by every test about a part of it (lifecycle, bundles
// and engines): the CI machine has two cores and half an hour.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBaselineFile } from '../../harness/run/baseline.js';
import { repoRoot } from '../../harness/paths.js';
import type { Case } from '../../harness/case/case.js';
import { OUTCOMES } from '../../harness/run/result.js';
import type { JsonReport } from '../../reports/json.js';
import { parseReport } from '../../reports/read.js';
import { ALL_CASES } from '../../suites/index.js';
import { startBrowser } from '../helpers/browser.js';
import { CLI, conform, fixture, hasRunc, isRoot, runTags, workDir } from '../helpers/conform.js';
import { leftSince, NOTHING_LEFT, snapshot } from '../helpers/leftovers.js';
import { exact, LANE_CASES, LANE_FILE } from '../helpers/lanes.js';

const MINUTES = 60_000;
const SHARDS = 2;
// Short and searchable: unix socket paths below it (a case's console socket) have 108 bytes.
const tmp = workDir(join(tmpdir(), 'conform-ci-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** conform's CLI; runs make their run directories in `workRoot` (TMPDIR), where their leftovers are looked for. */
function cli(args: string[], timeoutMs = 30 * MINUTES, workRoot = tmp) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TMPDIR: workRoot }, timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** docs/ci.md's gate: the shards one after another, then merged, with every report written; what it left behind. */
function gate(name: string, runArgs: string[]) {
  const dir = workDir(join(tmp, `${name}-`));
  const before = snapshot(dir);
  const shards = Array.from({ length: SHARDS }, (_, i) => {
    const json = join(dir, `shard-${i + 1}.json`);
    const r = cli([...runArgs, '--shard', `${i + 1}/${SHARDS}`, '--json', json], 30 * MINUTES, dir);
    return { ...r, json };
  });
  const out = { json: join(dir, 'conform.json'), junit: join(dir, 'conform-junit.xml'), tap: join(dir, 'conform.tap'), html: join(dir, 'conform.html') };
  const merge = cli(['merge', ...shards.map((s) => s.json), '--json', out.json, '--junit', out.junit, '--tap', out.tap, '--html', out.html]);
  const report = existsSync(out.json) ? parseReport(readFileSync(out.json, 'utf8'), out.json) : undefined;
  // The engines' cgroups of the shards' runs (their tags); without a merged report, every new one.
  return { dir, shards, merge, report, out, left: leftSince(before, { engines: report ? runTags(report) : true }) };
}

/** Runs `make` the first time it is asked for, then hands out the same result (or throws the same error: a whole run is not made twice). */
function once<T>(make: () => T): () => T {
  let made: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!made) {
      try {
        made = { value: make() };
      } catch (error) {
        made = { error };
      }
    }
    if ('error' in made) throw made.error;
    return made.value;
  };
}

const runcBaseline = join(repoRoot, 'baselines/runc.json');
const referenceBaseline = join(repoRoot, 'baselines/conform-runtime.json');
const runcGate = once(() => gate('runc', ['--runtime', '/usr/bin/runc', '--expect', runcBaseline]));
const referenceGate = once(() => gate('reference', ['--expect', referenceBaseline]));

/** The merged reports, read by their consumers: xmllint with Jenkins' schema, prove, Chromium. */
async function consumersAccept(report: JsonReport, out: { junit: string; tap: string; html: string }): Promise<void> {
  const xml = spawnSync('xmllint', ['--noout', '--schema', join(repoRoot, 'fixtures/junit/junit-10.xsd'), out.junit], { encoding: 'utf8' });
  expect(xml.stderr).toMatch(/validates/);
  const prove = spawnSync('prove', ['--exec', 'cat', out.tap], { encoding: 'utf8' });
  expect(prove.stdout, prove.stderr).toMatch(/Result: PASS/);
  const browser = await startBrowser();
  try {
    const page = await browser.open(out.html);
    for (const o of OUTCOMES) expect(Number(await page.locator(`#counts td[data-outcome="${o}"]`).innerText()), o).toBe(report.counts[o]);
    expect(await page.locator('#cases tbody tr').count()).toBe(report.results.length);
    expect(browser.problems).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** `conform baseline --update` on a copy of the baseline: a current one comes back unchanged. */
function baselineIsCurrent(report: string, baseline: string): void {
  const copy = join(tmp, `baseline-${Date.now()}.json`);
  copyFileSync(baseline, copy);
  const r = cli(['baseline', '--from', report, '--update', copy]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr.split('\n').filter((l) => /^\s+[-+] /.test(l))).toEqual([]);
  const data = (file: string) => {
    const { keys: _keys, ...rest } = readBaselineFile(file).data;
    return rest;
  };
  expect(data(copy)).toEqual(data(baseline));
}

/** What the tests read of a report. */
type Results = { results: readonly { id: string; outcome: string; message?: string }[] };

const unexpectedIn = (report: JsonReport) =>
  report.results.filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome)).map((x) => `${x.outcome} ${x.id}: ${x.message}`);

describe.skipIf(!isRoot || !hasRunc)('conformance runs (need root and /usr/bin/runc)', () => {
  it(
    'everything against runc with its baseline, sharded and merged: no unexpected failure or pass, reports the consumers accept, the baseline current, nothing left behind',
    async () => {
      const { shards, merge, report, out, left } = runcGate();
      expect(report, merge.stderr).toBeDefined();
      // What went wrong first (by name), then the exit codes that follow from it. (A race
      // caught or not within its bounded tries, security.mounts.destination-race, is in the
      // baseline's unstable section: a pass there is no xpass.)
      expect(unexpectedIn(report!)).toEqual([]);
      for (const s of shards) expect(s.code, `${s.stdout.slice(-2000)}\n${s.stderr}`).toBe(0);
      expect(merge.code, merge.stderr).toBe(0);
      expect(report!.results).toHaveLength(ALL_CASES.length);
      expect(report!.context.shards?.map((s) => s.index)).toEqual([1, 2]);
      expect(left).toEqual(NOTHING_LEFT);
      await consumersAccept(report!, out);
      baselineIsCurrent(out.json, runcBaseline);
    },
    20 * MINUTES,
  );

  it(
    "lifecycle against runc: every case passes but the disputed ones and its baseline's (in the whole run)",
    () => {
      const lifecycle = ALL_CASES.filter((c) => c.area === 'lifecycle');
      const { report } = runcGate();
      expect(report).toBeDefined();
      const { expectedFailures } = readBaselineFile(runcBaseline).data;
      const wanted = (id: string) => (lifecycle.find((c) => c.id === id)?.disputed ? 'disputed' : id in expectedFailures ? 'xfail' : 'pass');
      const found = report!.results.filter((x) => x.area === 'lifecycle');
      expect(found.filter((x) => x.outcome !== wanted(x.id)).map((x) => `${x.outcome} ${x.id}: ${x.message}`)).toEqual([]);
      expect(found).toHaveLength(lifecycle.length);
    },
    20 * MINUTES,
  );

  it(
    'every case can fail: it passes on runc or the reference runtime, and not behind the strip wrapper or a misbehaving fixture',
    () => {
      const judged = ALL_CASES.filter((c) => !c.disputed && !c.unprovable);
      expect(judged.length).toBeGreaterThan(450);
      const grep = (cs: readonly Case[]) => cs.flatMap((c) => ['--grep', exact(c.id)]);
      const outcome = (r: Results, id: string) => r.results.find((x) => x.id === id)?.outcome;
      const run = (args: string[], env: NodeJS.ProcessEnv = {}): Results => {
        const r = conform(args, { env, timeoutMs: 30 * MINUTES });
        expect(r.report, r.stderr).toBeDefined();
        expect(r.report!.results.filter((x) => x.outcome === 'error').map((x) => `${x.id}: ${x.message}`)).toEqual([]);
        return r.report!;
      };
      const REFERENCE = { CONFORM_DELEGATE: join(repoRoot, 'bin/conform-runtime.js') };
      const proven = new Set<string>();
      /** A case is shown to fail on a delegate it passes on as it is, made to misbehave: it fails or (a SHOULD) warns. */
      const prove = (plain: Results, bad: Results, cases: readonly Case[], failed = ['fail', 'warn']) => {
        for (const c of cases) if (outcome(plain, c.id) === 'pass' && failed.includes(outcome(bad, c.id) ?? '')) proven.add(c.id);
      };

      // Cheapest proofs first; the strip wrapper over the reference runtime (its every call a
      // Node process) only for what is left. The plain runs are the whole gate runs above.
      const stripped = judged.filter((c) => c.exercises?.length || c.tamper);
      const runcPlain = runcGate().report!;
      const refPlain = referenceGate().report!;
      // The strip wrapper: exercises removed, tamper applied, over runc. More jobs than cores:
      // a stripped case mostly waits (on a container that does not do what it should).
      prove(runcPlain, run(['--runtime', fixture('runtimes', 'strip.sh'), '--timeout', '5', '--jobs', '4', ...grep(stripped)]), stripped);
      // A case the reference runtime passes and runc fails (runc's expected failures, run with
      // its baseline: xfail) is shown to fail by that.
      prove(refPlain, runcPlain, judged, ['fail', 'warn', 'xfail']);
      // Misbehaving fixtures (runc, with one thing wrong).
      const fixtures = new Map<string, Case[]>();
      for (const c of judged.filter((x) => x.misbehaving)) fixtures.set(c.misbehaving!, [...(fixtures.get(c.misbehaving!) ?? []), c]);
      for (const [file, cases] of fixtures) prove(runcPlain, run(['--runtime', fixture('runtimes', file), ...grep(cases)]), cases);
      // The strip wrapper over the reference runtime, for the rest.
      const rest = stripped.filter((c) => !proven.has(c.id));
      if (rest.length) prove(refPlain, run(['--runtime', fixture('runtimes', 'strip.sh'), '--timeout', '5', '--jobs', '4', ...grep(rest)], REFERENCE), rest);

      // What is left could not run here on either runtime (the host lacks what it needs): said, not failed.
      const unproven = judged.filter((c) => !proven.has(c.id));
      // A warn (a SHOULD not followed, e.g. runc's pids.limit 0) is no pass to start from either.
      const hostBound = unproven.filter((c) =>
        [outcome(runcPlain, c.id) ?? 'skip', outcome(refPlain, c.id) ?? 'skip'].every((o) => o === 'skip' || o === 'warn'),
      );
      if (hostBound.length)
        console.log(`not provable on this host (they pass on neither runc nor the reference runtime here): ${hostBound.map((c) => c.id).join(', ')}`);
      const hostBoundIds = new Set(hostBound.map((c) => c.id));
      const why = (c: Case) => `${c.id}: runc ${outcome(runcPlain, c.id) ?? '-'}, reference ${outcome(refPlain, c.id) ?? '-'}`;
      expect(
        unproven.filter((c) => !hostBoundIds.has(c.id)).map(why),
        'cases not shown to fail: they pass when the runtime misbehaves, or pass on no runtime here',
      ).toEqual([]);
    },
    90 * MINUTES,
  );
});

// The foreign lanes in CI run a slice of the plan (test/helpers/lanes.ts); runsc's runs in
// side-runs.test.ts, beside this file, and crun's in crun-lane.test.ts, after every other file.
it('the foreign lanes name cases that exist, each once', () => {
  const known = new Set(ALL_CASES.map((c) => c.id));
  expect(
    LANE_CASES.filter((id) => !known.has(id)),
    `${LANE_FILE}: cases that are gone (renamed? update the baselines too)`,
  ).toEqual([]);
  expect(new Set(LANE_CASES).size).toBe(LANE_CASES.length);
  expect(LANE_CASES.length).toBeGreaterThan(150);
});

const reference = join(repoRoot, 'dist/runtime.cjs');
describe.skipIf(!isRoot || !existsSync(reference))('the reference runtime (needs root and `npm run build`)', () => {
  it(
    'passes everything it implements, sharded and merged: only its baseline fails, reports the consumers accept, nothing left behind',
    async () => {
      const file = referenceBaseline;
      const { shards, merge, report, out, left } = referenceGate();
      expect(report, merge.stderr).toBeDefined();
      expect(unexpectedIn(report!)).toEqual([]);
      for (const s of shards) expect(s.code, `${s.stdout.slice(-2000)}\n${s.stderr}`).toBe(0);
      expect(merge.code, merge.stderr).toBe(0);
      expect(report!.results).toHaveLength(ALL_CASES.length);
      // What it does not implement (its features do not claim it) is listed in the baseline,
      // and everything the baseline lists as not implemented is skipped.
      const baseline = JSON.parse(readFileSync(file, 'utf8')) as { notImplemented: Record<string, string> };
      const unlisted = report!.results.filter(
        (x) => x.outcome === 'skip' && /the runtime's features (says \S+ is false|does not list)/.test(x.message ?? '') && !(x.id in baseline.notImplemented),
      );
      expect(unlisted.map((x) => `${x.id}: ${x.message}`)).toEqual([]);
      const ran = report!.results.filter((x) => x.id in baseline.notImplemented && x.outcome !== 'skip');
      expect(ran.map((x) => `${x.outcome} ${x.id}`)).toEqual([]);
      expect(left).toEqual(NOTHING_LEFT);
      await consumersAccept(report!, out);
      baselineIsCurrent(out.json, file);
    },
    40 * MINUTES,
  );
});

// The bundles and engines areas: real tools' bundles, and podman and containerd driving the
// runtime. runc is the control (every case passes); the reference runtime fails or warns
// exactly where its baseline says (nowhere since it runs under the engines' defaults). Read
// from the whole runs above, whose leftover checks cover the engines (conmon, containerd).
const engineTools = ['podman', 'conmon', 'containerd', 'ctr', 'umoci'].every((t) => existsSync(`/usr/bin/${t}`));
describe.skipIf(!isRoot || !hasRunc || !engineTools)('bundles and engines (need root, runc, podman, containerd, umoci)', () => {
  const areaCases = ALL_CASES.filter((c) => c.area === 'bundles' || c.area === 'engines');
  const inAreas = (report: JsonReport) => report.results.filter((x) => x.area === 'bundles' || x.area === 'engines');

  it(
    'against runc every case passes (in the whole run)',
    () => {
      const { report } = runcGate();
      expect(report).toBeDefined();
      expect(
        inAreas(report!)
          .filter((x) => x.outcome !== 'pass')
          .map((x) => `${x.outcome} ${x.id}: ${x.message}`),
      ).toEqual([]);
      expect(inAreas(report!)).toHaveLength(areaCases.length);
    },
    20 * MINUTES,
  );

  it(
    'against the reference runtime exactly the baseline fails (bundles) or warns (engines: the runc CLI convention) (in the whole run)',
    () => {
      const { report } = referenceGate();
      expect(report).toBeDefined();
      const baseline = JSON.parse(readFileSync(referenceBaseline, 'utf8')) as {
        expectedFailures: Record<string, string>;
        conventionWarnings: Record<string, string>;
      };
      const listed = (ids: string[]) => ids.filter((id) => areaCases.some((c) => c.id === id)).sort();
      const ids = (outcome: string) =>
        inAreas(report!)
          .filter((x) => x.outcome === outcome)
          .map((x) => x.id)
          .sort();
      // A case off the baseline says why in the test's failure (the run's reports are removed).
      const why = inAreas(report!)
        .filter((x) => x.outcome !== 'pass')
        .map((x) => `${x.outcome} ${x.id}: ${x.message}`)
        .join('\n');
      expect(ids('xfail'), why).toEqual(listed(Object.keys(baseline.expectedFailures)));
      expect(ids('warn'), why).toEqual(listed(Object.keys(baseline.conventionWarnings)));
      expect(
        inAreas(report!)
          .filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome))
          .map((x) => `${x.outcome} ${x.id}: ${x.message}`),
      ).toEqual([]);
      expect(inAreas(report!)).toHaveLength(areaCases.length);
    },
    40 * MINUTES,
  );

  it(
    'a kept run shows the exact engine command of each case in its calls.log',
    () => {
      const workdir = mkdtempSync(join(tmpdir(), 'conform-keep-engines-'));
      try {
        const r = conform(['--runtime', '/usr/bin/runc', '--keep', '--workdir', workdir, '--grep', '^engines\\.(podman|containerd)\\.run$']);
        expect(r.code, r.stderr).toBe(0);
        const [runDir] = readdirSync(workdir).filter((n) => n.startsWith('conform-'));
        const log = (id: string) => readFileSync(join(workdir, runDir!, id, 'calls.log'), 'utf8');
        expect(log('engines.podman.run')).toMatch(/^\$ CONTAINERS_CONF=\S+ podman --root \S+ .* --runtime \S+\/engine-runtime\/runc run --rm /m);
        expect(log('engines.containerd.run')).toMatch(
          /^\$ ctr --address \S+ --namespace conform-containerd-[0-9a-f]+ run --rm --runc-binary \S+\/engine-runtime\/runc /m,
        );
        // And what the engine asked of the runtime, through conform's wrapper.
        expect(log('engines.containerd.run')).toMatch(/^engine -> runtime: \/usr\/bin\/runc --root \S+ --log \S+log\.json --log-format json create /m);
      } finally {
        rmSync(workdir, { recursive: true, force: true });
      }
    },
    5 * MINUTES,
  );
});
