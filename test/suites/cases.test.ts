// The cases' data, checked without running anything: every requirement ID they name is in
// the catalogue, and every case says how it is proven able to fail (or why it cannot be).
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unknownRequirements } from '../../harness/run/coverage.js';
import { repoRoot } from '../../harness/paths.js';
import { ALL_CASES } from '../../suites/index.js';
import { requirementById } from '../../spec/index.js';

/** Every .ts file under suites/, the catalogue itself left out. */
function suiteSources(dir = join(repoRoot, 'suites')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'requirements' ? [] : suiteSources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('requirement IDs in the suites', () => {
  it('every requirement a case cites is in the catalogue', () => {
    expect(unknownRequirements(ALL_CASES)).toEqual([]);
  });

  it('every requirement ID written in the suites (t.req(…), tables) is in the catalogue', () => {
    const unknown: string[] = [];
    for (const file of suiteSources()) {
      const text = readFileSync(file, 'utf8');
      // Whole literals only: a template with ${…} is checked when it runs (t.req refuses an ID the case does not cite).
      for (const m of text.matchAll(/['"`]((?:runtime|runtime-linux|config|config-linux|features|features-linux):[a-z0-9.-]+)['"`]/g)) {
        if (!requirementById(m[1]!)) unknown.push(`${file.slice(repoRoot.length + 1)}: ${m[1]}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('the check finds an unknown ID (it is not vacuous)', () => {
    expect(requirementById('config:process.rlimits.soft')).toBeDefined();
    expect(requirementById('config:process.rlimits.sooft')).toBeUndefined();
  });
});

describe('every case can be shown to fail', () => {
  const judged = ALL_CASES.filter((c) => !c.disputed);

  it('says how: exercises or tamper (the strip self-test), a misbehaving fixture runtime, or why it cannot be shown', () => {
    const none = judged.filter((c) => !c.exercises?.length && !c.tamper && !c.misbehaving && !c.unprovable).map((c) => c.id);
    expect(none, 'cases with no way to show they can fail, and no reason why').toEqual([]);
  });

  it('a case that says it cannot be shown has no way to be shown either (one or the other)', () => {
    const both = judged.filter((c) => c.unprovable && (c.exercises?.length || c.tamper || c.misbehaving)).map((c) => c.id);
    expect(both).toEqual([]);
    const short = judged.filter((c) => c.unprovable !== undefined && c.unprovable.trim().length < 40).map((c) => c.id);
    expect(short, 'an unprovable reason says what the misbehaviour is and why nothing here plays it').toEqual([]);
  });

  it('a misbehaving runtime is an executable file in fixtures/runtimes', () => {
    const bad = judged
      .filter((c) => c.misbehaving)
      .filter((c) => {
        try {
          accessSync(join(repoRoot, 'fixtures', 'runtimes', c.misbehaving!), constants.X_OK);
          return false;
        } catch {
          return true;
        }
      })
      .map((c) => `${c.id}: ${c.misbehaving}`);
    expect(bad).toEqual([]);
  });

  it('tamper paths are config paths (dotted, [n] indices) with JSON values', () => {
    const bad = judged.flatMap((c) =>
      Object.entries(c.tamper ?? {})
        .filter(([path, value]) => !/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*$/.test(path) || JSON.stringify(value) === undefined)
        .map(([path]) => `${c.id}: ${path}`),
    );
    expect(bad).toEqual([]);
  });
});
