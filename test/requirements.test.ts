// The requirement catalogue: well-formed, in our own words, and anchored in the spec text.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INFERRED, REQUIREMENTS, SPEC_FILES, requirementById, requirementsOf, specOfId, specUrl, type Requirement, type SpecFile } from '../spec/index.js';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const specDir = process.env.CONFORM_SPEC_DIR ?? join(repoRoot, '..', 'shared', 'runtime-spec');
const haveSpec = existsSync(join(specDir, 'config.md'));
const noSpec = `no runtime-spec checkout at ${specDir} (set CONFORM_SPEC_DIR)`;

const specText = new Map<SpecFile, string>();
function spec(file: SpecFile): string {
  let text = specText.get(file);
  if (text === undefined) {
    text = readFileSync(join(specDir, file), 'utf8');
    specText.set(file, text);
  }
  return text;
}

/** Every `<a name="…">` of a file, with the line it sits on (first occurrence wins). */
function anchors(file: SpecFile): Map<string, number> {
  const out = new Map<string, number>();
  spec(file)
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(/<a name="([^"]+)"/g)) if (!out.has(m[1]!)) out.set(m[1]!, i);
    });
  return out;
}

const words = (s: string): string[] => s.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
function ngrams(tokens: string[], n: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + n <= tokens.length; i++) out.add(tokens.slice(i, i + n).join(' '));
  return out;
}

const STEM = /^(runtime|runtime-linux|config|config-linux|features|features-linux)$/;
const SEGMENT = '[a-z0-9]+(?:-[a-z0-9]+)*';
const ID = new RegExp(`^([a-z-]+):${SEGMENT}(?:\\.${SEGMENT})+$`);

describe('requirement catalogue: shape', () => {
  it('has entries for every spec file', () => {
    for (const f of SPEC_FILES) expect(requirementsOf(f).length, f).toBeGreaterThan(0);
    expect(REQUIREMENTS.length).toBe(SPEC_FILES.reduce((n, f) => n + requirementsOf(f).length, 0));
  });

  it('IDs are unique', () => {
    const seen = new Set<string>();
    const dups = REQUIREMENTS.filter((r) => (seen.has(r.id) ? true : (seen.add(r.id), false))).map((r) => r.id);
    expect(dups).toEqual([]);
  });

  it('IDs are `<stem>:<area>.<leaf>` in kebab-case', () => {
    const bad = REQUIREMENTS.filter((r) => !ID.test(r.id) || !STEM.test(r.id.split(':')[0]!)).map((r) => r.id);
    expect(bad).toEqual([]);
  });

  it("an ID's prefix names the spec file it lives in", () => {
    for (const f of SPEC_FILES) {
      const wrong = requirementsOf(f).filter((r) => r.spec !== f || specOfId(r.id) !== f);
      expect(
        wrong.map((r) => r.id),
        f,
      ).toEqual([]);
    }
  });

  it('summaries are one short, trimmed line', () => {
    const bad = REQUIREMENTS.filter((r) => r.summary.length < 10 || r.summary.length > 140 || /[\r\n]/.test(r.summary) || r.summary.trim() !== r.summary);
    expect(bad.map((r) => `${r.id}: ${r.summary.length} chars`)).toEqual([]);
  });

  it('inferred IDs name real entries', () => {
    expect([...INFERRED].filter((id) => requirementById(id) === undefined)).toEqual([]);
  });

  it('lookups and links', () => {
    const first = REQUIREMENTS[0]!;
    expect(requirementById(first.id)).toBe(first);
    expect(requirementById('config:no.such-thing')).toBeUndefined();
    expect(specOfId('config-linux:namespaces.duplicate-error')).toBe('config-linux.md');
    expect(specOfId('nope:x.y')).toBeUndefined();
    expect(specUrl({ spec: 'config.md', section: 'configProcess' })).toBe('https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#configProcess');
  });

  it('keeps the IDs the brief promised to case authors', () => {
    for (const id of [
      'runtime:create.unique-id',
      'runtime:create.no-process-run',
      'runtime:delete.not-stopped-error',
      'config:process.rlimits.soft',
      'config:mounts.option.nosuid',
      'config-linux:namespaces.duplicate-error',
      'runtime-linux:dev-symlinks.fd',
    ]) {
      expect(requirementById(id), id).toBeDefined();
    }
  });
});

describe('requirement catalogue: against the spec text', () => {
  it('every section is an anchor of its spec file', (ctx) => {
    ctx.skip(!haveSpec, noSpec);
    for (const f of SPEC_FILES) {
      const names = anchors(f);
      const missing = requirementsOf(f).filter((r) => !names.has(r.section));
      expect(
        missing.map((r) => `${r.id} → #${r.section}`),
        f,
      ).toEqual([]);
    }
  });

  it('each file lists its entries in spec order', (ctx) => {
    ctx.skip(!haveSpec, noSpec);
    for (const f of SPEC_FILES) {
      const names = anchors(f);
      let prev: Requirement | undefined;
      for (const r of requirementsOf(f)) {
        if (prev && names.get(r.section)! < names.get(prev.section)!) {
          expect.fail(`${f}: ${r.id} (#${r.section}) comes after ${prev.id} (#${prev.section})`);
        }
        prev = r;
      }
    }
  });

  it('summaries are our own words: no 8-word run copied from the spec', (ctx) => {
    ctx.skip(!haveSpec, noSpec);
    const copied: string[] = [];
    for (const f of SPEC_FILES) {
      const specRuns = ngrams(words(spec(f)), 8);
      for (const r of requirementsOf(f)) {
        for (const run of ngrams(words(r.summary), 8)) if (specRuns.has(run)) copied.push(`${r.id}: "${run}"`);
      }
    }
    expect(copied).toEqual([]);
  });

  // Lines of another platform's text (config.md mixes Windows, Solaris and "all other platforms"
  // rules into Linux sections); the catalogue leaves them out on purpose.
  const OTHER_PLATFORM = /Windows|Hyper-V|Solaris|For all other platforms|c:\\\\/i;
  const mustLines = (f: SpecFile) =>
    spec(f)
      .split('\n')
      .filter((l) => l.includes('MUST') && !OTHER_PLATFORM.test(l));

  it('no file has fewer entries than lines saying MUST', (ctx) => {
    ctx.skip(!haveSpec, noSpec);
    // Rough on purpose: compound lines ("MUST … and MUST NOT …") give several entries, while a
    // few lines restate a rule already catalogued (see the per-section test). The bound holds
    // without any slack for all six files, even counting only MUST / MUST NOT entries.
    for (const f of SPEC_FILES) {
      const must = requirementsOf(f).filter((r) => r.level === 'MUST' || r.level === 'MUST NOT');
      expect(must.length, f).toBeGreaterThanOrEqual(mustLines(f).length);
    }
  });

  it('no section has fewer MUST entries (from the text itself) than lines saying MUST', (ctx) => {
    ctx.skip(!haveSpec, noSpec);
    // Sections where a MUST line is deliberately not an entry of its own. Keep each reason.
    const restated: Record<string, number> = {
      // The hooks list says, per hook kind, where `path` resolves and where the hook runs (12
      // lines) and repeats `path` absolute / `timeout` > 0 for prestart and createRuntime (2
      // more lines): the first are catalogued under each hook's own section, the others once.
      'config.md#configHooks': 12 + 2,
      // "reserved keys MUST NOT be used by subsequent specifications" binds spec authors, not
      // runtimes or configs.
      'config.md#configAnnotations': 1,
      // quota >= burst and burst <= quota are one constraint stated twice.
      'config-linux.md#configLinuxCPU': 1,
    };
    const short: string[] = [];
    for (const f of SPEC_FILES) {
      const perSection = new Map<string, number>();
      let section = '';
      for (const line of spec(f).split('\n')) {
        const m = /<a name="([^"]+)"/.exec(line);
        if (m) section = m[1]!;
        if (line.includes('MUST') && !OTHER_PLATFORM.test(line)) perSection.set(section, (perSection.get(section) ?? 0) + 1);
      }
      for (const [s, lines] of perSection) {
        const entries = requirementsOf(f).filter((r) => r.section === s && (r.level === 'MUST' || r.level === 'MUST NOT') && !INFERRED.has(r.id)).length;
        const expected = lines - (restated[`${f}#${s}`] ?? 0);
        if (entries < expected) short.push(`${f}#${s}: ${lines} MUST lines, ${entries} entries`);
      }
    }
    expect(short).toEqual([]);
  });
});
