import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_RULES, formatProblems, validateBundle, validateConfigRules, validateConfigText, type Problem } from '../schemas/validate.js';
import type { Config } from '../schemas/index.js';
import { REQUIREMENTS } from '../spec/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/bundles/', import.meta.url));
const specDir = process.env.CONFORM_SPEC_DIR ?? fileURLToPath(new URL('../../shared/runtime-spec', import.meta.url));
const goodConfigs = join(specDir, 'schema/test/config/good');
const scratch = mkdtempSync(join(tmpdir(), 'conform-validate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A config that every rule is happy with: each case below breaks exactly one thing. */
function base(): Config {
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    process: {
      cwd: '/',
      args: ['sh'],
      env: ['PATH=/bin'],
      user: { uid: 0, gid: 0 },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }],
      capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] },
      oomScoreAdj: 0,
      scheduler: { policy: 'SCHED_OTHER', nice: 0 },
    },
    hostname: 'conform',
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    hooks: { createRuntime: [{ path: '/bin/true', env: ['A=1'] }] },
    annotations: { 'com.example.key': 'v' },
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'network' }, { type: 'ipc' }],
      devices: [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229 }],
      sysctl: { 'net.ipv4.ip_forward': '1' },
      resources: { cpu: { quota: 1000, burst: 500 } },
      seccomp: { defaultAction: 'SCMP_ACT_ALLOW' },
    },
  };
}

/** The parts base() always has, for edits that reach into them. */
type Full = Config & { process: NonNullable<Config['process']>; linux: NonNullable<Config['linux']> };

interface RuleCase {
  edit: (c: Full) => void;
  /** The path the rule must report. */
  path: string;
  bundleDir?: () => string;
}

const missingBundle = () => {
  const dir = join(scratch, 'empty-bundle');
  mkdirSync(dir, { recursive: true });
  return dir;
};

// One case per rule in CONFIG_RULES; a test below fails when a rule has none.
const RULE_CASES: Record<string, RuleCase> = {
  'ociVersion.major': { edit: (c) => void (c.ociVersion = '2.0.0'), path: 'ociVersion' },
  'hostname.uts': { edit: (c) => void (c.linux.namespaces = [{ type: 'pid' }]), path: 'hostname' },
  'hooks.prestart.deprecated': { edit: (c) => void (c.hooks = { prestart: [{ path: '/bin/true' }] }), path: 'hooks.prestart' },
  'annotations.key.nonempty': { edit: (c) => void (c.annotations = { '': 'x' }), path: 'annotations[""]' },
  'annotations.key.reserved': { edit: (c) => void (c.annotations = { 'org.opencontainers.foo': 'x' }), path: 'annotations["org.opencontainers.foo"]' },
  'annotations.key.reverse-domain': { edit: (c) => void (c.annotations = { myKey: 'x' }), path: 'annotations.myKey' },
  'annotations.image.created': {
    edit: (c) => void (c.annotations = { 'org.opencontainers.image.created': 'yesterday' }),
    path: 'annotations["org.opencontainers.image.created"]',
  },
  'root.required': { edit: (c) => void delete c.root, path: 'root' },
  'root.path.directory': { edit: () => {}, path: 'root.path', bundleDir: missingBundle },
  'root.path.conventional': { edit: (c) => void (c.root = { path: '/srv/images/busybox' }), path: 'root.path' },
  'mounts.destination.absolute': { edit: (c) => void (c.mounts = [{ destination: 'proc', type: 'proc' }]), path: 'mounts[0].destination' },
  'mounts.idmap.pair': {
    edit: (c) => void (c.mounts = [{ destination: '/d', options: ['bind', 'idmap'], uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] }]),
    path: 'mounts[0].gidMappings',
  },
  'mounts.idmap.option': {
    edit: (c) => {
      const m = [{ containerID: 0, hostID: 1000, size: 1 }];
      c.mounts = [{ destination: '/d', options: ['rbind'], uidMappings: m, gidMappings: m }];
    },
    path: 'mounts[0].options',
  },
  'mounts.idmap.mappings': { edit: (c) => void (c.mounts = [{ destination: '/d', options: ['rbind', 'ridmap'] }]), path: 'mounts[0].options' },
  'process.cwd.absolute': { edit: (c) => void (c.process.cwd = 'tmp'), path: 'process.cwd' },
  'process.args.required': { edit: (c) => void (c.process.args = []), path: 'process.args' },
  'env.format': { edit: (c) => void (c.process.env = ['JUSTNAME']), path: 'process.env[0]' },
  'process.rlimits.unique': {
    edit: (c) => void c.process.rlimits?.push({ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }),
    path: 'process.rlimits[1].type',
  },
  'process.rlimits.type': { edit: (c) => void (c.process.rlimits = [{ type: 'RLIMIT_FOO', soft: 1, hard: 1 }]), path: 'process.rlimits[0].type' },
  'process.rlimits.soft-le-hard': { edit: (c) => void (c.process.rlimits = [{ type: 'RLIMIT_CORE', soft: 2, hard: 1 }]), path: 'process.rlimits[0].soft' },
  'process.capabilities.known': { edit: (c) => void c.process.capabilities?.bounding?.push('CAP_FLY'), path: 'process.capabilities.bounding[1]' },
  'process.capabilities.grantable': { edit: (c) => void c.process.capabilities?.effective?.push('CAP_CHOWN'), path: 'process.capabilities.effective[1]' },
  'process.user.required': { edit: (c) => void delete (c.process as Partial<Full['process']>).user, path: 'process.user' },
  'process.user.umask': { edit: (c) => void (c.process.user = { uid: 0, gid: 0, umask: 0o1022 }), path: 'process.user.umask' },
  'devices.numbers': { edit: (c) => void (c.linux.devices = [{ type: 'c', path: '/dev/x', major: 4096, minor: -1 }]), path: 'linux.devices[0].minor' },
  'process.user.id': { edit: (c) => void (c.process.user = { uid: 0, gid: 0, additionalGids: [1, 4294967295] }), path: 'process.user.additionalGids[1]' },
  'devices.path-conflict': {
    edit: (c) =>
      void (c.linux.devices = [
        { type: 'c', path: '/bin/sh/x', major: 1, minor: 3 },
        { type: 'c', path: '/bin/sh', major: 1, minor: 3 },
      ]),
    path: 'linux.devices[0].path',
    bundleDir: () => {
      const dir = join(scratch, 'device-bundle');
      mkdirSync(join(dir, 'rootfs/bin'), { recursive: true });
      writeFileSync(join(dir, 'rootfs/bin/sh'), '');
      return dir;
    },
  },
  'process.oomScoreAdj.range': { edit: (c) => void (c.process.oomScoreAdj = -1001), path: 'process.oomScoreAdj' },
  'process.scheduler.nice': { edit: (c) => void (c.process.scheduler = { policy: 'SCHED_BATCH', nice: 20 }), path: 'process.scheduler.nice' },
  'process.scheduler.priority': { edit: (c) => void (c.process.scheduler = { policy: 'SCHED_FIFO', priority: 0 }), path: 'process.scheduler.priority' },
  'process.scheduler.deadline': {
    edit: (c) => void (c.process.scheduler = { policy: 'SCHED_DEADLINE', runtime: 10, deadline: 5, period: 20 }),
    path: 'process.scheduler.runtime',
  },
  'namespaces.unique': { edit: (c) => void c.linux.namespaces?.push({ type: 'pid', path: '/proc/1/ns/pid' }), path: 'linux.namespaces[5].type' },
  'idmappings.userns': { edit: (c) => void (c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]), path: 'linux.gidMappings' },
  'idmappings.missing': { edit: (c) => void c.linux.namespaces?.push({ type: 'user' }), path: 'linux.uidMappings' },
  'timeOffsets.clock': {
    edit: (c) => {
      c.linux.namespaces?.push({ type: 'time' });
      c.linux.timeOffsets = { realtime: { secs: 1 } };
    },
    path: 'linux.timeOffsets.realtime',
  },
  'timeOffsets.nanosecs': {
    edit: (c) => {
      c.linux.namespaces?.push({ type: 'time' });
      c.linux.timeOffsets = { monotonic: { nanosecs: 1_000_000_000 } };
    },
    path: 'linux.timeOffsets.monotonic.nanosecs',
  },
  'timeOffsets.timens': { edit: (c) => void (c.linux.timeOffsets = { boottime: { secs: 60 } }), path: 'linux.timeOffsets' },
  'sysctl.namespace': {
    edit: (c) => void (c.linux.namespaces = c.linux.namespaces?.filter((n) => n.type !== 'network')),
    path: 'linux.sysctl["net.ipv4.ip_forward"]',
  },
  'devices.major-minor': { edit: (c) => void delete c.linux.devices?.[0]?.minor, path: 'linux.devices[0].minor' },
  'devices.duplicate': {
    edit: (c) => void c.linux.devices?.push({ type: 'c', path: '/dev/fuse2', major: 10, minor: 229 }),
    path: 'linux.devices[1]',
  },
  'netDevices.name.unique': { edit: (c) => void (c.linux.netDevices = { eth0: {}, eth1: { name: 'eth0' } }), path: 'linux.netDevices.eth1' },
  'resources.cpu.burst': { edit: (c) => void (c.linux.resources = { cpu: { quota: 1000, burst: 2000 } }), path: 'linux.resources.cpu.burst' },
  'resources.blockIO.weightDevice': {
    edit: (c) => void (c.linux.resources = { blockIO: { weightDevice: [{ major: 8, minor: 0 }] } }),
    path: 'linux.resources.blockIO.weightDevice[0]',
  },
  'resources.rdma.entry': { edit: (c) => void (c.linux.resources = { rdma: { mlx5_1: {} } }), path: 'linux.resources.rdma.mlx5_1' },
  'resources.unified.key': {
    edit: (c) => void (c.linux.resources = { unified: { '../cpu.max': '10000 100000' } }),
    path: 'linux.resources.unified["../cpu.max"]',
  },
  'seccomp.listenerMetadata': {
    edit: (c) => void (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' }),
    path: 'linux.seccomp.listenerMetadata',
  },
  'seccomp.errnoRet': {
    edit: (c) => void (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] }),
    path: 'linux.seccomp.syscalls[0].errnoRet',
  },
  'seccomp.notify.listener': {
    edit: (c) => void (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mknod'], action: 'SCMP_ACT_NOTIFY' }] }),
    path: 'linux.seccomp.listenerPath',
  },
  'seccomp.args.index': {
    edit: (c) =>
      void (c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }] }],
      }),
    path: 'linux.seccomp.syscalls[0].args[0].index',
  },
  'intelRdt.memBwSchema': { edit: (c) => void (c.linux.intelRdt = { memBwSchema: 'L3:0=7f0' }), path: 'linux.intelRdt.memBwSchema' },
  'intelRdt.l3CacheSchema': { edit: (c) => void (c.linux.intelRdt = { l3CacheSchema: 'L3:0=7f0\nL3:1=1f' }), path: 'linux.intelRdt.l3CacheSchema' },
  'intelRdt.schemata': { edit: (c) => void (c.linux.intelRdt = { schemata: ['L3:0=7f0\nMB:0=20'] }), path: 'linux.intelRdt.schemata[0]' },
  'memoryPolicy.nodes': { edit: (c) => void (c.linux.memoryPolicy = { mode: 'MPOL_BIND' }), path: 'linux.memoryPolicy.nodes' },
  'personality.flags': { edit: (c) => void (c.linux.personality = { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] }), path: 'linux.personality.flags' },
};

const edited = (edit: (c: Full) => void): Config => {
  const c = base() as Full;
  edit(c);
  return c;
};
const fromRule = (problems: Problem[], id: string) => problems.filter((p) => p.rule === id);
const lines = (problems: Problem[]) => problems.map((p) => `${p.level} ${p.path}: ${p.message}`);

describe('validateConfigRules', () => {
  it('finds nothing in the base config, not even a warning', () => {
    expect(lines(validateConfigRules(base()))).toEqual([]);
  });

  it('has a case below for every rule, and every rule cites a spec section and the requirement it checks', () => {
    expect(Object.keys(RULE_CASES).sort()).toEqual(CONFIG_RULES.map((r) => r.id).sort());
    const ids = new Set(REQUIREMENTS.map((r) => r.id));
    for (const rule of CONFIG_RULES) {
      expect(rule.spec, rule.id).toMatch(/^[a-z-]+\.md#[A-Za-z]+$/);
      expect(ids.has(rule.requirement), `${rule.id}: ${rule.requirement}`).toBe(true);
      // The requirement is in the file the rule cites.
      expect(rule.requirement.split(':')[0], rule.id).toBe(rule.spec.split('.md')[0]);
    }
  });

  for (const rule of CONFIG_RULES) {
    it(`${rule.id} (${rule.spec}, ${rule.level})`, () => {
      const c = RULE_CASES[rule.id];
      if (!c) throw new Error(`no case for rule ${rule.id}`);
      const problems = fromRule(validateConfigRules(edited(c.edit), c.bundleDir?.()), rule.id);
      expect(problems.map((p) => p.path)).toContain(c.path);
      for (const p of problems) expect(p.level).toBe(rule.level);
    });
  }

  it.skipIf(!existsSync(goodConfigs))(
    `finds no error in the spec's good config examples${existsSync(goodConfigs) ? '' : ` (skipped: no ${goodConfigs}; set CONFORM_SPEC_DIR)`}`,
    () => {
      for (const f of readdirSync(goodConfigs)) {
        const errors = validateConfigRules(JSON.parse(readFileSync(join(goodConfigs, f), 'utf8'))).filter((p) => p.level === 'error');
        expect({ f, errors }).toEqual({ f, errors: [] });
      }
    },
  );

  it('accepts what umoci unpacks: image-spec conversion annotations are warnings only', async () => {
    const { problems } = await validateBundle(join(fixtures, 'umoci'));
    expect(problems.filter((p) => p.level === 'error')).toEqual([]);
    expect(problems.find((p) => p.rule === 'annotations.key.reserved')).toMatchObject({
      level: 'warning',
      path: 'annotations["org.opencontainers.image.exposedPorts"]',
    });
  });

  it('reports schema problems first, with no rule id, then rule problems', () => {
    const problems = validateConfigRules({ ...base(), ociVersion: '1.0', process: { ...base().process, cwd: 'x' } });
    expect(problems.map((p) => [p.path, p.rule])).toEqual([
      ['ociVersion', undefined],
      ['process.cwd', 'process.cwd.absolute'],
    ]);
  });

  it('includes the schema-level MUSTs: hook path and timeout, syscall names, namespace path', () => {
    const c = edited((c) => {
      c.hooks = { poststart: [{ path: 'notify', timeout: 0 }] };
      c.linux.namespaces = [{ type: 'uts', path: 'proc/1/ns/uts' }, { type: 'network' }];
      c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] };
    });
    expect(lines(validateConfigRules(c))).toEqual([
      'error hooks.poststart[0].path: must be an absolute path',
      'error hooks.poststart[0].timeout: must be greater than zero',
      'error linux.namespaces[0].path: must be an absolute path',
      'error linux.seccomp.syscalls[0].names: must not be empty',
    ]);
  });

  it('checks env entries of hooks too', () => {
    const problems = validateConfigRules(edited((c) => void (c.hooks = { poststop: [{ path: '/x', env: ['A=1', 'B'] }] })));
    expect(fromRule(problems, 'env.format').map((p) => p.path)).toEqual(['hooks.poststop[0].env[1]']);
  });

  it('leaves alone what the rules allow', () => {
    const ok = (edit: (c: Full) => void) => expect(lines(validateConfigRules(edited(edit)))).toEqual([]);
    ok((c) => void (c.linux.devices = [{ type: 'p', path: '/dev/fifo' }])); // no major/minor for a FIFO
    ok((c) => void (c.linux.resources = { cpu: { quota: -1, burst: 5000 } })); // burst only bounds a positive quota
    ok((c) => void (c.annotations = { 'org.opencontainers.image.os': 'linux', 'org.opencontainers.image.created': '2024-01-02T03:04:05Z' }));
    ok((c) => void (c.process.scheduler = { policy: 'SCHED_RR', priority: 50 }));
    ok((c) => void (c.linux.netDevices = { eth0: { name: 'c%d' }, eth1: { name: 'c%d' } }));
    ok((c) => void (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    ok((c) => void (c.linux.memoryPolicy = { mode: 'MPOL_PREFERRED' }));
    ok((c) => {
      const m = [{ containerID: 0, hostID: 1000, size: 65536 }];
      c.linux.namespaces?.push({ type: 'user' }, { type: 'time' });
      c.linux.uidMappings = m;
      c.linux.gidMappings = m;
      c.linux.timeOffsets = { monotonic: { secs: -5, nanosecs: 999_999_999 } };
      c.mounts = [{ destination: '/d', options: ['rbind', 'idmap'] }]; // idmap through the user namespace's mappings
    });
  });

  it('judges Windows configs by Windows rules', () => {
    const win = {
      ociVersion: '1.3.0',
      windows: { layerFolders: [] },
      process: { cwd: 'C:\\app', commandLine: 'app.exe' },
      mounts: [{ destination: 'C:\\data' }],
    };
    expect(lines(validateConfigRules(win))).toEqual([]);
    expect(fromRule(validateConfigRules({ ...win, process: { cwd: 'app' } }), 'process.args.required')).toHaveLength(1);
  });

  it('makes a relative mount destination an error on platforms where absolute is a MUST', () => {
    const solaris = { ociVersion: '1.3.0', root: { path: 'rootfs' }, solaris: {}, mounts: [{ destination: 'opt' }] };
    expect(fromRule(validateConfigRules(solaris), 'mounts.destination.absolute').map((p) => p.level)).toEqual(['error']);
  });

  it('does not throw on configs of the wrong shape', () => {
    const garbage = [
      null,
      42,
      'x',
      [],
      { process: 'x', linux: { namespaces: 'pid', devices: [null, 3] }, mounts: {}, annotations: [], hooks: { prestart: 'x' } },
    ];
    for (const g of garbage) expect(validateConfigRules(g).length).toBeGreaterThan(0);
  });

  it('checks root.path on disk when given the bundle', () => {
    const dir = join(scratch, 'file-root');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rootfs'), '');
    expect(fromRule(validateConfigRules(base(), dir), 'root.path.directory').map((p) => p.message)).toEqual([`${join(dir, 'rootfs')} is not a directory`]);
    mkdirSync(join(dir, 'abs-root'));
    expect(validateConfigRules({ ...base(), root: { path: join(dir, 'abs-root') } }, dir).filter((p) => p.rule === 'root.path.directory')).toEqual([]);
  });
});

describe('validateBundle', () => {
  it('returns the config of a valid bundle, RLIM_INFINITY included', async () => {
    const { config, problems } = await validateBundle(join(fixtures, 'valid'));
    expect(problems).toEqual([]);
    expect(config?.process?.rlimits?.[0]?.hard).toBe(2 ** 64);
  });

  it('lists every problem of an invalid bundle and returns no config', async () => {
    const { config, problems } = await validateBundle(join(fixtures, 'invalid'));
    expect(config).toBeUndefined();
    expect(formatProblems(problems)).toBe(
      [
        'error   ociVersion: must be a SemVer 2.0.0 version such as 1.3.0',
        'error   linux.namespaces[2].type: must be one of pid, network, mount, ipc, uts, user, cgroup, time (got "net")',
        'error   root: is required [config:root.required]',
        'error   process.cwd: must be an absolute path [config:process.cwd.absolute]',
        'error   process.args: must have at least one entry (the program to run) [config:process.args.required]',
        'error   process.rlimits[1].type: duplicates an earlier RLIMIT_NOFILE entry [config:process.rlimits.duplicate-error]',
        'error   process.rlimits[1].soft: must not be greater than hard [config:process.rlimits.soft]',
        'error   process.user: is required on POSIX platforms (uid and gid are REQUIRED) [config:process.user.required-fields]',
        'error   linux.namespaces[1].type: duplicates an earlier pid namespace [config-linux:namespaces.duplicate-error]',
      ].join('\n'),
    );
  });

  it('says when config.json does not parse, is missing, or the bundle is missing', async () => {
    const parse = await validateBundle(join(fixtures, 'invalid-json'));
    expect(parse.problems).toHaveLength(1);
    expect(parse.problems[0]).toMatchObject({ path: '', level: 'error', message: expect.stringMatching(/config\.json is not valid JSON: /) });
    const none = await validateBundle(join(fixtures, 'no-config'));
    expect(none.problems.map((p) => p.message)).toEqual([`no config.json in ${join(fixtures, 'no-config')}: a bundle must have one at its root (bundle.md)`]);
    const gone = await validateBundle(join(scratch, 'nowhere'));
    expect(gone.problems.map((p) => p.message)).toEqual([`bundle directory ${join(scratch, 'nowhere')} does not exist`]);
  });

  it('checks that the root filesystem exists', async () => {
    const { config, problems } = await validateBundle(join(fixtures, 'no-rootfs'));
    expect(config).toBeUndefined();
    expect(problems.map((p) => p.rule)).toEqual(['root.path.directory']);
  });

  it('catches 2 ** 64 written by JSON.stringify, which parses as RLIM_INFINITY', async () => {
    const { problems } = await validateBundle(join(fixtures, 'uint64-rounded'));
    expect(problems.map((p) => [p.path, p.rule])).toEqual([['process.rlimits[0].hard', 'json.integer.range']]);
  });

  it('checks the text of a config the same way, without a bundle', () => {
    const text = '{"ociVersion":"1.3.0","root":{"path":"rootfs"},"process":{"cwd":"/","args":["sh"],"user":{"uid":1e3,"gid":0}}}';
    expect(validateConfigText(text).problems.map((p) => [p.path, p.rule])).toEqual([['process.user.uid', 'json.integer.form']]);
    expect(validateConfigText('{').problems.map((p) => p.message)).toEqual([expect.stringMatching(/^config\.json is not valid JSON: /)]);
    expect(validateConfigText(JSON.stringify(base())).config).toEqual(base());
  });

  it('returns the config when there are only warnings', async () => {
    const dir = join(scratch, 'warned');
    mkdirSync(join(dir, 'rootfs'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ociVersion: '1.3.0', root: { path: 'rootfs' }, annotations: { myKey: 'x' } }));
    const { config, problems } = await validateBundle(dir);
    expect(problems.map((p) => p.level)).toEqual(['warning']);
    expect(config?.annotations).toEqual({ myKey: 'x' });
  });
});

describe('formatProblems', () => {
  it('prints one aligned line per problem', () => {
    expect(
      formatProblems([
        { path: 'process.cwd', message: 'must be an absolute path', level: 'error' },
        {
          path: 'root.path',
          message: 'should be the conventional rootfs',
          level: 'warning',
          rule: 'root.path.conventional',
          requirement: 'config:root.path.conventional',
        },
        { path: '', message: 'no config.json in /b', level: 'error' },
      ]),
    ).toBe(
      [
        'error   process.cwd: must be an absolute path',
        'warning root.path: should be the conventional rootfs [config:root.path.conventional]',
        'error   no config.json in /b',
      ].join('\n'),
    );
    expect(formatProblems([])).toBe('');
  });
});
