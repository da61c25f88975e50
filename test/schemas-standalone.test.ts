// The config validator precompiled at build time (schemas/standalone.ts, written by
// scripts/build.mjs to dist/config-validator.cjs) must find the very problems the
// validator compiled at run time finds, with the same messages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { newAjv } from '../schemas/ajv.js';
import { ajvProblems } from '../schemas/ajv-problems.js';
import { ConfigSchema } from '../schemas/config.js';
import { configValidatorSource, schemaHash } from '../schemas/standalone.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const specDir = resolve(process.env.CONFORM_SPEC_DIR ?? join(root, '../shared/runtime-spec'));

function load(source: string): ValidateFunction & { schemaHash?: string } {
  const module = { exports: {} as unknown };
  // The generated CommonJS requires ajv's runtime helpers (ucs2length, equal…).
  new Function('module', 'exports', 'require', source)(module, module.exports, createRequire(import.meta.url));
  return module.exports as ValidateFunction & { schemaHash?: string };
}

const precompiled = load(configValidatorSource());
const compiled = newAjv({ code: { optimize: false } }).compile(ConfigSchema);
const problems = (v: ValidateFunction, doc: unknown) => (v(doc) ? [] : ajvProblems(v.errors, doc));

const examples = (): Array<[string, unknown]> => {
  const out: Array<[string, unknown]> = [];
  for (const verdict of ['good', 'bad']) {
    const dir = join(specDir, 'schema/test/config', verdict);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      try {
        out.push([`${verdict}/${f}`, JSON.parse(readFileSync(join(dir, f), 'utf8'))]);
      } catch {
        // Not JSON: nothing for a validator to see.
      }
    }
  }
  return out;
};

const handMade: Array<[string, unknown]> = [
  ['minimal', { ociVersion: '1.3.0', root: { path: 'rootfs' } }],
  ['not an object', []],
  [
    'wrong types everywhere',
    {
      ociVersion: 1,
      root: { path: 3, readonly: 'no' },
      process: { cwd: 5, args: 'sh', user: { uid: -1, gid: 'x' }, rlimits: [{ type: 'RLIMIT_NOPE', soft: -1 }] },
    },
  ],
  [
    'linux',
    {
      ociVersion: '1.3.0',
      linux: {
        namespaces: [{ type: 'bogus' }],
        resources: { memory: { limit: 'x' }, devices: [{ allow: 'yes' }] },
        seccomp: { defaultAction: 'SCMP_ACT_NOPE' },
        personality: { domain: 'X' },
      },
    },
  ],
  [
    'features of the process',
    {
      ociVersion: '1.3.0',
      process: { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 }, scheduler: { policy: 'SCHED_X' }, ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 9 } },
    },
  ],
];

describe('the precompiled config validator', () => {
  it('carries the hash of the schema it was made from', () => {
    expect(precompiled.schemaHash).toBe(schemaHash(ConfigSchema));
    expect(schemaHash({ ...ConfigSchema, title: 'another' })).not.toBe(schemaHash(ConfigSchema));
  });

  it.each([...handMade, ...examples()])('%s: same verdict and problems as the compiled one', (_name, doc) => {
    expect(problems(precompiled, doc)).toEqual(problems(compiled, doc));
  });
});
