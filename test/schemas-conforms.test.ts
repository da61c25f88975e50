// schemas/conforms.ts against ajv: the same verdict on every config we can find (the
// fixtures, the configs podman and containerd wrote, the harness's and the runtime's
// defaults, the hostile configs, the spec's own examples when its checkout is there)
// and on thousands of mutants of them. A config it calls valid skips ajv in `create`:
// one it wrongly called valid would be run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BundleBuilder } from '../harness/case/bundle.js';
import { defaultConfig } from '../runtime/commands/spec.js';
import { newAjv } from '../schemas/ajv.js';
import { ConfigSchema } from '../schemas/config.js';
import { conforms } from '../schemas/conforms.js';
import { hostileCases, type BundleContext, type Json } from './helpers/hostile-configs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const specDir = process.env.CONFORM_SPEC_DIR ?? join(root, '..', 'shared', 'runtime-spec');
const ajvValid = newAjv().compile(ConfigSchema);

function corpus(): Json[] {
  const out: Json[] = [new BundleBuilder('/b', '/f').config, defaultConfig()];
  for (const d of readdirSync(join(root, 'fixtures/bundles'))) {
    try {
      out.push(JSON.parse(readFileSync(join(root, 'fixtures/bundles', d, 'config.json'), 'utf8')));
    } catch {
      /* not JSON: a fixture of its own kind */
    }
  }
  for (const f of ['podman.json', 'containerd.json', 'containerd-seccomp.json'])
    out.push(JSON.parse(readFileSync(join(root, 'fixtures/engine-configs', f), 'utf8')));
  out.push(...Object.values(JSON.parse(readFileSync(join(root, 'fixtures/engine-configs/recorded.json'), 'utf8')).configs as Record<string, Json>));
  const ctx: BundleContext = { bundle: '/nonexistent', ownRootfs: () => '/nonexistent/rootfs', hostDir: '/nonexistent/host', pid: process.pid };
  for (const h of hostileCases()) {
    if (!h.edit) continue;
    const c = structuredClone(defaultConfig());
    try {
      out.push(h.edit(c, ctx) ?? c);
    } catch {
      /* an edit that needs a real bundle */
    }
  }
  for (const kind of ['good', 'bad']) {
    const dir = join(specDir, 'schema/test/config', kind);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      try {
        out.push(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      } catch {
        /* a bad example that is not JSON at all */
      }
    }
  }
  return out;
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 32,
  2 ** 53,
  2 ** 64,
  -(2 ** 63),
  1e300,
  '',
  'x',
  '/abs',
  'rel/path',
  '1.3.0',
  '1.0.0-rc.1+build',
  'CAP_CHOWN',
  'SIGKILL',
  'SCMP_ACT_ERRNO',
  'pid',
  'bind',
  'a=b',
  [],
  [1],
  ['a'],
  [{}],
  {},
  { a: 1 },
  { type: 'pid' },
];

/** Every property name the schema knows: a mutant adds them where they do not belong too. */
function schemaNames(s: Json, out = new Set<string>()): Set<string> {
  if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === 'properties' && v && typeof v === 'object') for (const name of Object.keys(v)) out.add(name);
      schemaNames(v, out);
    }
  }
  return out;
}

/** Paths to every value in `c` (as key lists), the root included. */
function paths(c: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(c)) c.forEach((v, i) => paths(v, [...at, i], out));
  else if (c && typeof c === 'object') for (const [k, v] of Object.entries(c)) paths(v, [...at, k], out);
  return out;
}

function mutate(c: Json, r: () => number, names: string[]): Json {
  const m = structuredClone(c);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
    const at = pick(paths(m));
    if (at.length === 0) continue;
    let parent = m;
    for (const k of at.slice(0, -1)) parent = parent[k];
    const key = at.at(-1)!;
    const op = r();
    if (op < 0.45) parent[key] = structuredClone(pick(VALUES));
    else if (op < 0.6) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (op < 0.8 && parent && typeof parent === 'object' && !Array.isArray(parent)) parent[pick(names)] = structuredClone(pick(VALUES));
    else if (Array.isArray(parent)) parent.push(structuredClone(pick(VALUES)));
    else if (typeof parent[key] === 'number') parent[key] = -parent[key] - 1;
    else if (typeof parent[key] === 'string') parent[key] = `${parent[key]}X`;
    else parent[key] = structuredClone(pick(VALUES));
  }
  return m;
}

describe('schemas/conforms.ts, the config schema without ajv', () => {
  it('agrees with ajv on every config found, and can tell for each', () => {
    const configs = corpus();
    expect(configs.length).toBeGreaterThan(30);
    const verdicts = configs.map((c) => ({ fast: conforms(ConfigSchema, c), ajv: ajvValid(c) }));
    expect(verdicts.filter((v) => v.fast !== v.ajv)).toEqual([]);
    // Not vacuous: both kinds are there.
    expect(verdicts.filter((v) => v.ajv).length).toBeGreaterThan(5);
    expect(verdicts.filter((v) => !v.ajv).length).toBeGreaterThan(5);
  });

  it('agrees with ajv on mutants of them (wrong types, missing and added fields, bounds, patterns)', () => {
    const configs = corpus().filter((c) => ajvValid(c));
    const names = [...schemaNames(ConfigSchema)];
    const r = rng(20261206);
    const disagreements: { mutant: Json; fast: boolean | undefined; ajv: boolean }[] = [];
    let valid = 0;
    let total = 0;
    for (const c of configs) {
      for (let i = 0; i < 150; i++) {
        const m = mutate(c, r, names);
        const fast = conforms(ConfigSchema, m);
        const ajv = ajvValid(m) as boolean;
        total++;
        if (ajv) valid++;
        if (fast !== ajv && disagreements.length < 5) disagreements.push({ mutant: m, fast, ajv });
      }
    }
    expect(disagreements).toEqual([]);
    expect(total).toBeGreaterThan(3000);
    expect(valid / total).toBeGreaterThan(0.1);
    expect(valid / total).toBeLessThan(0.9);
  });

  it("reads properties and required as ajv's generated code does, and cannot tell for a keyword it does not know", () => {
    const schema = { type: 'object', required: ['constructor'], properties: { toString: { type: 'string' } } };
    const ajv = newAjv().compile(schema);
    for (const v of [{}, { toString: 'x' }, { constructor: 1 }]) expect(conforms(schema, v)).toBe(ajv(v));
    expect(conforms({ type: 'object', properties: { a: { oneOf: [{ type: 'string' }] } } }, { a: 'x' })).toBeUndefined();
    expect(conforms({ type: 'object', properties: { a: { oneOf: [{ type: 'string' }] } } }, {})).toBe(true);
  });
});
