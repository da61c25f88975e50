import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { EMITTED, REGENERATE, schemaText } from '../schemas/emit.js';
import { HOOK_NAMES, HooksSchema, validateConfig, validateFeatures, validateState, type Config, type Problem } from '../schemas/index.js';
import { checkIntegerLiterals, hasUnusualNumbers, scanNumbers } from '../schemas/raw-numbers.js';
import { ConfigSchema } from '../schemas/config.js';
import { compareSemVer, parseSemVer } from '../schemas/semver.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const specDir = resolve(process.env.CONFORM_SPEC_DIR ?? join(root, '../shared/runtime-spec'));
const examplesDir = join(specDir, 'schema/test');
const noExamples = !existsSync(examplesDir);

const validators = { config: validateConfig, state: validateState, features: validateFeatures } as const;
type Kind = keyof typeof validators;

/** A document's problems, counting "does not parse" as one. */
function check(kind: Kind, text: string): Problem[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return [{ path: '', message: `not JSON: ${(err as Error).message}`, level: 'error' }];
  }
  return validators[kind](value);
}

const errors = (problems: Problem[]) => problems.filter((p) => p.level === 'error');
const files = (kind: Kind, verdict: 'good' | 'bad') => {
  const dir = join(examplesDir, kind, verdict);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
};

describe(`the spec's schema examples (${examplesDir})`, () => {
  for (const kind of Object.keys(validators) as Kind[]) {
    it.skipIf(noExamples)(`every good ${kind} example validates${noExamples ? ` (skipped: no ${examplesDir}; set CONFORM_SPEC_DIR)` : ''}`, () => {
      const good = files(kind, 'good');
      expect(good.length).toBeGreaterThan(0);
      for (const f of good) expect({ f, problems: errors(check(kind, readFileSync(join(examplesDir, kind, 'good', f), 'utf8'))) }).toEqual({ f, problems: [] });
    });
    it.skipIf(noExamples)(`every bad ${kind} example fails${noExamples ? ` (skipped: no ${examplesDir}; set CONFORM_SPEC_DIR)` : ''}`, () => {
      const bad = files(kind, 'bad');
      expect(bad.length).toBeGreaterThan(0);
      for (const f of bad)
        expect({ f, failed: errors(check(kind, readFileSync(join(examplesDir, kind, 'bad', f), 'utf8'))).length > 0 }).toEqual({ f, failed: true });
    });
  }
});

const minimal = { ociVersion: '1.3.0', root: { path: 'rootfs' } };
const withLinux = (linux: Record<string, unknown>) => ({ ...minimal, linux });
const at = (problems: Problem[], path: string) => problems.filter((p) => p.path === path);

describe('config schema', () => {
  it('accepts a minimal config and unknown properties at any level', () => {
    expect(validateConfig(minimal)).toEqual([]);
    expect(validateConfig({ ...minimal, 'com.example.ext': { a: 1 }, root: { path: 'rootfs', extra: true } })).toEqual([]);
    expect(validateConfig(withLinux({ namespaces: [{ type: 'pid', future: 1 }], newThing: [] }))).toEqual([]);
  });

  it('requires ociVersion as SemVer 2.0.0', () => {
    expect(at(validateConfig({ root: { path: 'rootfs' } }), 'ociVersion')).toEqual([{ path: 'ociVersion', message: 'is required', level: 'error' }]);
    for (const v of ['1.0', '01.0.0', '1.0.0-', 'v1.0.0', '1.0.0+']) {
      expect(validateConfig({ ...minimal, ociVersion: v }), v).toEqual([
        { path: 'ociVersion', message: 'must be a SemVer 2.0.0 version such as 1.3.0', level: 'error' },
      ]);
    }
    for (const v of ['1.0.2-dev', '0.5.0-dev', '1.1.0-rc.2', '1.3.0+dev', '1.0.0-0.3.7', '1.0.0-x.7.z.92'])
      expect(validateConfig({ ...minimal, ociVersion: v }), v).toEqual([]);
  });

  it('says which required property is missing, by its own path', () => {
    const problems = validateConfig({ ...minimal, process: { args: ['sh'], rlimits: [{ soft: 1, hard: 1 }] } });
    expect(problems).toContainEqual({ path: 'process.cwd', message: 'is required', level: 'error' });
    expect(problems).toContainEqual({ path: 'process.rlimits[0].type', message: 'is required', level: 'error' });
  });

  it('accepts uint64 values past 2^53, RLIM_INFINITY included', () => {
    const text = `{"ociVersion":"1.3.0","root":{"path":"rootfs"},"process":{"cwd":"/","args":["sh"],
      "rlimits":[{"type":"RLIMIT_NOFILE","soft":18446744073709551615,"hard":18446744073709551615}]},
      "linux":{"resources":{"hugepageLimits":[{"pageSize":"2MB","limit":9223372036854772000}],
      "memory":{"limit":9223372036854775807,"swap":-1}}}}`;
    expect(validateConfig(JSON.parse(text))).toEqual([]);
  });

  it('enforces integer widths with the range in the message', () => {
    const problems = validateConfig(withLinux({ uidMappings: [{ containerID: 0, hostID: 4294967296, size: -1 }] }));
    expect(problems).toEqual([
      { path: 'linux.uidMappings[0].hostID', message: 'must be an integer from 0 to 4294967295', level: 'error' },
      { path: 'linux.uidMappings[0].size', message: 'must be an integer from 0 to 4294967295', level: 'error' },
    ]);
    expect(validateConfig({ ...minimal, process: { cwd: '/', rlimits: [{ type: 'RLIMIT_CORE', soft: -1, hard: 1.5 }] } })).toEqual([
      { path: 'process.rlimits[0].soft', message: 'must be an integer from 0 to 18446744073709551615', level: 'error' },
      { path: 'process.rlimits[0].hard', message: 'must be an integer', level: 'error' },
    ]);
    expect(validateConfig(withLinux({ resources: { memory: { limit: -9223372036854775808, swappiness: 101 } } }))).toEqual([
      { path: 'linux.resources.memory.swappiness', message: 'must be an integer from 0 to 100', level: 'error' },
    ]);
  });

  it('enforces the spec enums and names the allowed values', () => {
    const [p] = validateConfig(withLinux({ namespaces: [{ type: 'net' }] }));
    expect(p).toEqual({
      path: 'linux.namespaces[0].type',
      message: 'must be one of pid, network, mount, ipc, uts, user, cgroup, time (got "net")',
      level: 'error',
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ rootfsPropagation: 'rshared' }, 'linux.rootfsPropagation'],
      [{ devices: [{ type: 'x', path: '/dev/x', major: 1, minor: 1 }] }, 'linux.devices[0].type'],
      [{ resources: { devices: [{ allow: true, type: 'u' }] } }, 'linux.resources.devices[0].type'],
      [{ seccomp: { defaultAction: 'SCMP_ACT_DENY' } }, 'linux.seccomp.defaultAction'],
      [{ seccomp: { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] } }, 'linux.seccomp.architectures[0]'],
      [{ seccomp: { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_NEW_LISTENER'] } }, 'linux.seccomp.flags[0]'],
      [
        {
          seccomp: {
            defaultAction: 'SCMP_ACT_ALLOW',
            syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_IN' }] }],
          },
        },
        'linux.seccomp.syscalls[0].args[0].op',
      ],
      [{ memoryPolicy: { mode: 'MPOL_RANDOM' } }, 'linux.memoryPolicy.mode'],
      [{ personality: { domain: 'LINUX64' } }, 'linux.personality.domain'],
    ];
    for (const [linux, path] of cases) {
      const problems = validateConfig(withLinux(linux));
      expect(
        problems.map((x) => x.path),
        path,
      ).toEqual([path]);
      expect(problems[0]!.message).toMatch(/^must be one of /);
    }
    const long = validateConfig(withLinux({ seccomp: { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['x'] } }))[0]!;
    expect(long.message).toMatch(/…/);
    const sched = validateConfig({
      ...minimal,
      process: { cwd: '/', scheduler: { policy: 'SCHED_NORMAL' }, ioPriority: { class: 'IOPRIO_CLASS_NONE', priority: 8 } },
    });
    expect(sched.map((x) => x.path)).toEqual(['process.scheduler.policy', 'process.ioPriority.class', 'process.ioPriority.priority']);
  });

  it('checks the string syntaxes the spec defines', () => {
    const problems = validateConfig(
      withLinux({
        namespaces: [{ type: 'net'.replace('net', 'network'), path: 'proc/1/ns/net' }],
        maskedPaths: ['proc/kcore'],
        devices: [{ type: 'c', path: 'dev/fuse', major: 10, minor: 229 }],
        resources: { hugepageLimits: [{ pageSize: '64kB', limit: 1 }], cpu: { cpus: '0-3;7' }, devices: [{ allow: true, access: 'rwx' }] },
      }),
    );
    expect(problems).toEqual([
      { path: 'linux.namespaces[0].path', message: 'must be an absolute path', level: 'error' },
      { path: 'linux.devices[0].path', message: 'must be an absolute path (the full path inside the container)', level: 'error' },
      { path: 'linux.resources.devices[0].access', message: 'must be made of r, w and m', level: 'error' },
      { path: 'linux.resources.cpu.cpus', message: 'must be a list like 0-3,7', level: 'error' },
      { path: 'linux.resources.hugepageLimits[0].pageSize', message: 'must be a size like 64KB, 2MB or 1GB', level: 'error' },
      { path: 'linux.maskedPaths[0]', message: 'must be an absolute path', level: 'error' },
    ]);
  });

  it('checks hooks: absolute path, positive timeout, known names only as properties', () => {
    const hooks = { createRuntime: [{ path: 'bin/hook', timeout: 0 }], somethingNew: 'ignored' };
    expect(validateConfig({ ...minimal, hooks })).toEqual([
      { path: 'hooks.createRuntime[0].path', message: 'must be an absolute path', level: 'error' },
      { path: 'hooks.createRuntime[0].timeout', message: 'must be greater than zero', level: 'error' },
    ]);
    expect(Object.keys(HooksSchema.properties)).toEqual([...HOOK_NAMES]);
  });

  it('requires seccomp syscall names to be non-empty', () => {
    const seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] };
    expect(validateConfig(withLinux({ seccomp }))).toEqual([{ path: 'linux.seccomp.syscalls[0].names', message: 'must not be empty', level: 'error' }]);
  });

  it('writes map keys that are not identifiers in brackets', () => {
    expect(validateConfig(withLinux({ sysctl: { 'net.ipv4.ip_forward': 1 } }))).toEqual([
      { path: 'linux.sysctl["net.ipv4.ip_forward"]', message: 'must be a string', level: 'error' },
    ]);
    expect(validateConfig({ ...minimal, annotations: { '0': 0 } })).toEqual([{ path: 'annotations["0"]', message: 'must be a string', level: 'error' }]);
  });

  it('accepts other platforms’ sections as any object', () => {
    expect(validateConfig({ ...minimal, windows: { layerFolders: ['c:\\x'] }, solaris: {}, vm: { hypervisor: {} } })).toEqual([]);
    expect(validateConfig({ ...minimal, windows: 'no' })).toEqual([{ path: 'windows', message: 'must be an object', level: 'error' }]);
  });

  it('rejects non-objects at the root', () => {
    expect(validateConfig([])).toEqual([{ path: '', message: 'the document must be an object', level: 'error' }]);
  });

  it('types match the schema: a typed config validates', () => {
    const config: Config = {
      ociVersion: '1.3.0',
      root: { path: 'rootfs' },
      process: { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 }, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 2 }] },
      hooks: { poststop: [{ path: '/bin/true', timeout: 1 }] },
      linux: {
        namespaces: [{ type: 'pid' }],
        seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] },
      },
    };
    expect(validateConfig(config)).toEqual([]);
  });
});

describe('state schema', () => {
  const state = { ociVersion: '1.3.0', id: 'c1', status: 'running', pid: 42, bundle: '/b' };

  it('accepts the spec statuses and runtime-defined ones', () => {
    expect(validateState(state)).toEqual([]);
    expect(validateState({ ...state, status: 'stopped', pid: undefined })).toEqual([]);
    expect(validateState({ ...state, status: 'paused' })).toEqual([]);
    expect(validateState({ ...state, status: 'creating', pid: undefined, annotations: { a: 'b' } })).toEqual([]);
    // runtime.md: "ociVersion (string, REQUIRED)"; the spec's state schema says string, not SemVer (crun says "1.0").
    expect(validateState({ ...state, ociVersion: '1.0' })).toEqual([]);
    expect(validateState({ ...state, ociVersion: 1 })).toEqual([{ path: 'ociVersion', message: 'must be a string', level: 'error' }]);
  });

  it('requires a pid while created or running', () => {
    for (const status of ['created', 'running']) {
      expect(validateState({ ...state, status, pid: undefined })).toEqual([
        { path: 'pid', message: 'is required when status is created or running', level: 'error' },
      ]);
      expect(validateState({ ...state, status, pid: 0 })).toEqual([
        { path: 'pid', message: 'must be a process ID (> 0) when status is created or running', level: 'error' },
      ]);
    }
    // runsc reports -1 for a stopped container: allowed.
    expect(validateState({ ...state, status: 'stopped', pid: -1 })).toEqual([]);
  });

  it('requires id, status and an absolute bundle path', () => {
    expect(validateState({ ociVersion: '1.3.0', bundle: 'rel' }).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'id: is required',
      'status: is required',
      'bundle: must be an absolute path',
    ]);
    expect(validateState({ ...state, status: '' })).toEqual([{ path: 'status', message: 'must not be empty', level: 'error' }]);
  });
});

describe('features schema', () => {
  const features = { ociVersionMin: '1.0.0', ociVersionMax: '1.3.0' };

  it('requires both versions and accepts null for everything else, at every level', () => {
    expect(validateFeatures({ ociVersionMin: '1.0.0' })).toEqual([{ path: 'ociVersionMax', message: 'is required', level: 'error' }]);
    const nulls = {
      ...features,
      hooks: null,
      mountOptions: null,
      annotations: null,
      potentiallyUnsafeConfigAnnotations: null,
      linux: {
        namespaces: null,
        capabilities: null,
        cgroup: { v1: null },
        seccomp: { enabled: null, actions: null },
        mountExtensions: { idmap: { enabled: null } },
        netDevices: null,
      },
    };
    expect(validateFeatures(nulls)).toEqual([]);
    expect(validateFeatures({ ...features, linux: null })).toEqual([]);
  });

  it('collapses "X or null" into one line', () => {
    expect(validateFeatures({ ...features, hooks: 'prestart' })).toEqual([{ path: 'hooks', message: 'must be an array or null', level: 'error' }]);
    expect(validateFeatures({ ...features, linux: { cgroup: { v2: 'yes' } } })).toEqual([
      { path: 'linux.cgroup.v2', message: 'must be a boolean or null', level: 'error' },
    ]);
  });

  it('reports a bad entry inside a nullable list by its own path', () => {
    expect(validateFeatures({ ...features, linux: { namespaces: ['pid', 'net'] } })).toEqual([
      { path: 'linux.namespaces[1]', message: 'must be one of pid, network, mount, ipc, uts, user, cgroup, time (got "net")', level: 'error' },
    ]);
    expect(validateFeatures({ ...features, hooks: ['prestart', 'preStop'] }).map((p) => p.path)).toEqual(['hooks[1]']);
  });

  it('requires ociVersionMax >= ociVersionMin', () => {
    expect(validateFeatures({ ociVersionMin: '1.2.0', ociVersionMax: '1.1.0' })).toEqual([
      { path: 'ociVersionMax', message: 'must not be less than ociVersionMin (1.2.0)', level: 'error', rule: 'features.version.order' },
    ]);
    expect(validateFeatures({ ociVersionMin: '1.1.0-rc.1', ociVersionMax: '1.1.0' })).toEqual([]);
    expect(validateFeatures({ ociVersionMin: '1.1.0', ociVersionMax: '1.1.0-rc.1' })).toHaveLength(1);
  });

  it('rejects properties this version does not define, when the runtime claims at most 1.3', () => {
    const extra = { ...features, ociVersionMax: '1.2.0', linux: { seccomp: { enabled: true, secret: 1 } }, runcOnly: true };
    expect(validateFeatures(extra)).toEqual([
      { path: 'linux.seccomp.secret', message: 'is not defined in runtime-spec 1.2.0', level: 'error', rule: 'features.properties.defined' },
      { path: 'runcOnly', message: 'is not defined in runtime-spec 1.2.0', level: 'error', rule: 'features.properties.defined' },
    ]);
    expect(validateFeatures({ ...extra, ociVersionMax: '1.4.0' })).toEqual([]);
    // Annotations are a map: any key.
    expect(validateFeatures({ ...features, annotations: { 'org.example.x': 'y' } })).toEqual([]);
  });
});

describe('semver precedence', () => {
  it('orders as SemVer 2.0.0 §11 does', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.1.0', '2.0.0'];
    for (let i = 1; i < order.length; i++) {
      expect(compareSemVer(parseSemVer(order[i - 1]!)!, parseSemVer(order[i]!)!), `${order[i - 1]} < ${order[i]}`).toBeLessThan(0);
    }
    expect(compareSemVer(parseSemVer('1.0.0+a')!, parseSemVer('1.0.0+b')!)).toBe(0);
  });
});

describe('integer literals in the JSON text', () => {
  const wrap = (rlimit: string) => `{"ociVersion":"1.3.0","process":{"cwd":"/","rlimits":[${rlimit}]},"x":{"soft":1e3}}`;

  it('accepts exact uint64 digits and catches what rounds into range', () => {
    expect(checkIntegerLiterals(wrap('{"type":"RLIMIT_CORE","soft":18446744073709551615,"hard":0}'), ConfigSchema)).toEqual([]);
    expect(checkIntegerLiterals(wrap('{"type":"RLIMIT_CORE","soft":1,"hard":18446744073709552000}'), ConfigSchema)).toEqual([
      {
        path: 'process.rlimits[0].hard',
        message: 'must be at most 18446744073709551615 (got 18446744073709552000): that is JSON.stringify(2 ** 64); write 18446744073709551615',
        level: 'error',
        rule: 'json.integer.range',
      },
    ]);
    const int64 = '{"ociVersion":"1.3.0","linux":{"resources":{"memory":{"limit":9223372036854775808}}}}';
    expect(checkIntegerLiterals(int64, ConfigSchema).map((p) => p.message)).toEqual(['must be at most 9223372036854775807 (got 9223372036854775808)']);
  });

  it('catches integers written as 1e3 or 1.0, but not in unknown properties', () => {
    expect(checkIntegerLiterals(wrap('{"type":"RLIMIT_CORE","soft":1e3,"hard":1.0}'), ConfigSchema)).toEqual([
      { path: 'process.rlimits[0].soft', message: 'must be written as a plain integer (got 1e3)', level: 'error', rule: 'json.integer.form' },
      { path: 'process.rlimits[0].hard', message: 'must be written as a plain integer (got 1.0)', level: 'error', rule: 'json.integer.form' },
    ]);
  });

  it('finds every number JSON.parse may not read as written, and only outside strings', () => {
    // What scanNumbers sees: a literal with a fraction or an exponent, or of 16 digits or more.
    const unusual = (text: string): boolean => {
      let found = false;
      scanNumbers(text, (_, literal) => (found ||= /[.eE]/.test(literal) || literal.replace('-', '').length >= 16));
      return found;
    };
    for (const [text, want] of [
      ['{"ociVersion":"1.3.0","a":[1,-2,999999999999999],"b":"1e3 12345678901234567"}', false],
      ['{"a":"\\"1.5"}', false],
      ['{"a":"x\\\\","b":1.5}', true],
      ['{"a":9007199254740993}', true],
      ['{"a":-1234567890123456}', true],
      ['[0,1e3]', true],
      ['{"a\\"1.5":2E1}', true],
    ] as const) {
      expect(hasUnusualNumbers(text), text).toBe(want);
      expect(unusual(text), text).toBe(want);
    }
    // Random texts: strings holding digits, dots, quotes and backslashes; numbers of every form.
    let seed = 7;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const pieces = ['1', '.', 'e', '\\"', '\\\\', '"', '9', 'x', '0'];
    const str = (): string => `"${Array.from({ length: rand(6) }, () => pieces[rand(pieces.length)]!.replace(/^"$/, '\\"')).join('')}"`;
    const nums = ['0', '-1', '42', '1.5', '1e3', '-2E-2', '10.0', '123456789012345', '1234567890123456', '18446744073709551615'];
    const value = (depth: number): string => {
      const k = rand(depth > 3 ? 2 : 4);
      if (k === 0) return str();
      if (k === 1) return nums[rand(nums.length)]!;
      if (k === 2) return `[${Array.from({ length: rand(4) }, () => value(depth + 1)).join(',')}]`;
      return `{${Array.from({ length: rand(4) }, () => `${str()}:${value(depth + 1)}`).join(', ')}}`;
    };
    let both = 0;
    for (let i = 0; i < 3000; i++) {
      const text = value(0);
      JSON.parse(text);
      const want = unusual(text);
      expect(hasUnusualNumbers(text), text).toBe(want);
      if (want) both++;
    }
    // Both answers were seen often.
    expect(both).toBeGreaterThan(300);
    expect(both).toBeLessThan(2700);
  });

  it('follows map keys with escapes and nullable features lists', () => {
    const text = '{"linux":{"resources":{"rdma":{"mlx\\"5":{"hcaHandles":1e1}}}}}';
    expect(checkIntegerLiterals(text, ConfigSchema).map((p) => p.path)).toEqual(['linux.resources.rdma["mlx\\"5"].hcaHandles']);
  });
});

describe('emitted JSON Schemas', () => {
  for (const [name, schema] of Object.entries(EMITTED)) {
    it(`schemas/json/${name} is up to date (regenerate: ${REGENERATE})`, () => {
      const file = join(root, 'schemas/json', name);
      const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
      expect(committed === schemaText(schema), `schemas/json/${name} is stale: run ${REGENERATE}`).toBe(true);
    });
  }

  it('are valid draft-07 schemas that a strict ajv compiles (our validators skip that check for speed)', () => {
    const ajv = new AjvModule.default({ strict: true, strictRequired: false, validateSchema: true });
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    for (const [name, schema] of Object.entries(EMITTED)) {
      expect(ajv.validateSchema(JSON.parse(schemaText(schema)) as object), `${name}: ${ajv.errorsText()}`).toBe(true);
      expect(() => ajv.compile(JSON.parse(schemaText(schema)) as object), name).not.toThrow();
    }
  });
});
