// The reports as their real consumers read them: Perl's prove (TAP::Harness), tap-parser
// (node-tap's), and xmllint against Jenkins' JUnit schema (fixtures/junit/junit-10.xsd).
// .ci/run installs perl and libxml2-utils for these.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { afterAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import type { CaseResult } from '../../harness/run/result.js';
import { renderJunit } from '../../reports/junit.js';
import { renderTap, tapReporter } from '../../reports/tap.js';
import { Recorder, drive, mixed, result, summary, warnedCase } from './factory.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-consumers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const save = (text: string, ext: string): string => {
  const file = join(dir, `report-${n++}.${ext}`);
  writeFileSync(file, text);
  return file;
};

function tool(cmd: string, args: string[], install: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} is needed for this test: ${install}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const prove = (file: string) => tool('prove', ['--exec', 'cat', file], 'apt-get install -y perl');
const xmllint = (file: string) =>
  tool('xmllint', ['--noout', '--schema', join(repoRoot, 'fixtures/junit/junit-10.xsd'), file], 'apt-get install -y libxml2-utils');

const passing = (): CaseResult[] => [...mixed().filter((r) => r.outcome !== 'fail' && r.outcome !== 'error'), warnedCase()];

async function streamed(results: CaseResult[], version?: 13 | 14): Promise<string> {
  const out = new Recorder();
  await drive(tapReporter(out, { version }), summary(results));
  return out.text();
}

describe('TAP read by prove (TAP::Harness)', () => {
  test('a run without failures passes; warnings, skips, expected failures, unexpected passes and disputed cases do not fail it', async () => {
    for (const text of [await streamed(passing()), renderTap(summary(passing()))]) {
      const r = prove(save(text, 'tap'));
      expect(r.out).toMatch(/Result: PASS/);
      expect(r.code).toBe(0);
    }
  });

  test('a run with a failure and a harness error fails, on exactly those points', async () => {
    const r = prove(save(await streamed(mixed()), 'tap'));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/Failed 2\/8 subtests/);
    expect(r.out).toMatch(/Failed tests?:\s+2-3/);
  });

  test('a partial run bails out', () => {
    const s = summary([result('a.one')], { partial: { reason: 'interrupted (SIGINT)', notRun: ['a.two'] } });
    const r = prove(save(renderTap(s), 'tap'));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/Bailout called|Bail out!/i);
  });

  test('why 13 is the default: prove refuses a stream announcing 14', async () => {
    const r = prove(save(await streamed(passing(), 14), 'tap'));
    expect(r.out).toMatch(/version 14/);
    expect(r.code).not.toBe(0);
  });

  test('YAML that TAP::Parser reads: a list item that starts with a word and a colon', async () => {
    const notes = ['loop: exec 3<>/dev/c && echo opened was refused (probe: eval: line 54)', 'a: b', 'http://x: y', ':: odd', 'plain'];
    const text = await streamed([result('a.notes', { notes })]);
    const r = prove(save(text, 'tap'));
    expect(r.out).toMatch(/Result: PASS/);
    expect(r.out).not.toMatch(/Parse errors/);
  });

  test('a # in a description is escaped, not read as a directive', async () => {
    const r = prove(save(await streamed([result('a.hash', { title: 'checks # SKIP this' })]), 'tap'));
    expect(r.out).toMatch(/Result: PASS/);
    expect(r.out).not.toMatch(/skipped/);
  });
});

describe('TAP read by tap-parser', () => {
  const parse = (text: string) => {
    const results: { ok: boolean; todo: string | boolean; skip: string | boolean; name: string }[] = [];
    let final:
      | { ok: boolean; count: number; pass: number; fail: number; skip: number; todo: number; bailout: string | boolean; failures: { name: string }[] }
      | undefined;
    const p = new Parser((f) => (final = f as typeof final));
    p.on('assert', (a) => results.push(a as (typeof results)[number]));
    p.end(text);
    return { results, final: final! };
  };

  for (const version of [13, 14] as const) {
    test(`TAP ${version}: every outcome counts as its directive says`, async () => {
      const { final } = parse(await streamed(mixed(), version));
      // tap-parser counts a failed TODO (the expected failure) in `fail`, but not among the failures.
      expect(final).toMatchObject({ ok: false, count: 8, skip: 3, todo: 2 });
      expect(final.failures.map((f) => f.name.split(':')[0])).toEqual(['process.rlimits.nofile', 'hooks.poststart.order']);
    });
  }

  test('list items with colons read back as the text they were', async () => {
    const notes = ['loop: exec 3<>/dev/c && echo opened (probe: eval: line 54)', 'a\\: b', 'plain'];
    const p = new Parser();
    const diags: unknown[] = [];
    p.on('assert', (a: { diag?: { notes?: unknown } }) => diags.push(a.diag?.notes));
    p.end(await streamed([result('a.notes', { notes })]));
    expect(diags).toEqual([notes]);
  });

  test('a partial run bails out', () => {
    const { final } = parse(renderTap(summary([result('a.one')], { partial: { reason: 'interrupted (SIGINT)', notRun: ['a.two'] } })));
    expect(final.ok).toBe(false);
    expect(String(final.bailout)).toMatch(/interrupted \(SIGINT\); 1 of 2 planned cases reported/);
  });
});

describe('JUnit against junit-10.xsd (xmllint)', () => {
  const nasty = `<tag attr="x"> & ]]> \u0000\u001b[31m \ud800 \uffff`;
  const cases: [string, () => string][] = [
    ['every outcome', () => renderJunit(summary([...mixed(), warnedCase()]))],
    ['an empty run', () => renderJunit(summary([]))],
    ['a partial run', () => renderJunit(summary([result('a.one')], { partial: { reason: 'interrupted', notRun: ['b.two'] } }))],
    [
      'data that needs escaping',
      () =>
        renderJunit(
          summary([
            result(`a.${'x'}`, {
              outcome: 'fail',
              title: nasty,
              message: nasty,
              failures: [{ message: nasty, expected: nasty, actual: nasty }],
              notes: [nasty],
              runtimeLog: nasty,
            }),
          ]),
        ),
    ],
    ['start times and stderr', () => renderJunit(summary(mixed().map((r, i) => ({ ...r, startMs: i * 100, runtimeLog: '$ runc create\n  exit 1\n' }))))],
  ];
  for (const [what, render] of cases) {
    test(`${what}: valid`, () => {
      const r = xmllint(save(render(), 'xml'));
      expect(r.out).toMatch(/validates/);
      expect(r.code).toBe(0);
    });
  }

  test('the schema does refuse what the old reports wrote (properties under a testcase)', () => {
    const old = renderJunit(summary([result('a.one')])).replace(
      '<testcase classname="conform.a" name="a.one" time="0.012"/>',
      '<testcase classname="conform.a" name="a.one" time="0.012"><properties><property name="outcome" value="pass"/></properties></testcase>',
    );
    expect(old).toContain('<properties><property name="outcome"');
    expect(xmllint(save(old, 'xml')).code).not.toBe(0);
  });
});
