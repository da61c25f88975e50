// config.md "Valid values": "Runtimes MUST generate an error when invalid or unsupported
// values are encountered." One case per REQUIRED field a runtime would otherwise have to
// guess (Go's zero value, an empty string…), and per value the spec rules out. Each
// config is one our validator rejects too (`invalid`), apart from the cgroupsPath
// cases, whose values only the host (or the runtime) can rule out.
//
// What "ignoring the setting" means decides each case's `exercises`: where the broken
// entry can go (a mount, a hook, a rule, a mapping line), the strip self-test removes it
// and the rest is a config that works; where it cannot (a missing ociVersion, root, cwd,
// user id), the self-test's create/start answer success without doing anything.
import { existsSync, rmdirSync } from 'node:fs';
import type { BundleBuilder } from '../harness/case/bundle.js';
import { defaultConfig } from '../harness/case/bundle.js';
import { defineCase, type Case } from '../harness/case/case.js';
import { cgroupDirsOf } from '../linux/cgroupfs.js';
import type { Hook, IDMapping, Mount } from '../schemas/config.js';
import { expectRefusedNoCgroup } from './cgroups/common.js';
import { skipIfNewerThanRuntime } from './support/version.js';
import { expectRefused, refusalIsAbout, refusalOf } from './support/refuse.js';
import { UNUSED_SYSCALLS } from './support/seccomp.js';

const INVALID = 'config:valid-values.invalid-error';
const NO_CONTAINER = 'runtime:create.apply-fail-no-container';
/** The defaults' mount count: a mount a case adds has this index. */
const NEXT_MOUNT = defaultConfig().mounts!.length;
/** Strip answers create and start with success: for settings that cannot be taken out. */
const OPS = ['op:create', 'op:start'];

interface RefusedDef {
  id: string;
  /** What is wrong, for the title and messages: "a mount without destination". */
  what: string;
  requirements: string[];
  exercises: string[];
  edit: (b: BundleBuilder) => void;
  needs?: string[];
  /** A `process` property: start may be the one that refuses (runtime.md#create). */
  processProperty?: boolean;
  /** [release, field]: a runtime implementing an older spec may ignore the field. */
  since?: [string, string];
}

function refused(d: RefusedDef): Case {
  return defineCase({
    id: `validity.${d.id}`,
    title: `${d.what} makes ${d.processProperty ? 'create (or start)' : 'create'} fail`,
    requirements: [...d.requirements, INVALID, NO_CONTAINER],
    exercises: d.exercises,
    needs: d.needs,
    invalid: true,
    bundle: (b) => {
      b.probe({ only: ['meta'] });
      if (d.since) b.ociVersion(d.since[0]);
      d.edit(b);
    },
    async check(t) {
      if (d.since) skipIfNewerThanRuntime(t, d.since[0], d.since[1]);
      const { by } = await expectRefused(refusalOf(t), d.what, { processProperty: d.processProperty });
      // A refusal counts only if it is about the broken entry (where it can be taken out).
      const paths = d.exercises.filter((e) => !e.startsWith('op:'));
      if (by !== 'create' || paths.length === 0) return;
      const twin = await t.newBundle((b) => {
        b.probe({ only: ['meta'] });
        if (d.since) b.ociVersion(d.since[0]);
        d.edit(b);
        for (const p of paths) b.unset(p);
      });
      await refusalIsAbout(t, twin, d.what.replace(/^an? /, 'the '));
    },
  });
}

// --- the fixtures the cases break ----------------------------------------------------

const USER_NS = ['ns:user', 'feature:linux.namespaces=user'];
const SECCOMP = ['feature:linux.seccomp.enabled'];
const CREATE_RUNTIME = ['feature:hooks=createRuntime'];

/** A user namespace with working maps, plus one broken line in `broken` (index 1). */
function userNsWith(b: BundleBuilder, broken: 'uid' | 'gid', line: Partial<IDMapping>): void {
  const uid: IDMapping[] = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const gid: IDMapping[] = [{ containerID: 0, hostID: 200000, size: 65536 }];
  (broken === 'uid' ? uid : gid).push(line as IDMapping);
  b.namespace('user').idMappings(uid, gid);
}

/** A hook that succeeds wherever it runs. */
const okHook = (extra: Partial<Hook> = {}): Hook => ({ path: '/bin/sh', args: ['sh', '-c', 'cat >/dev/null; exit 0'], ...extra });

/** A seccomp filter whose only rule (index 0) is on a syscall the probe never makes. */
const seccompRule = (rule: Record<string, unknown>) => ({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [rule] });
const ACCT = UNUSED_SYSCALLS[0]!;

const SCHED: [string, string] = ['1.1.0', 'process.scheduler'];
const IOPRIO: [string, string] = ['1.1.0', 'process.ioPriority'];
const PERSONALITY: [string, string] = ['1.0.2', 'linux.personality'];
const MEMPOLICY: [string, string] = ['1.3.0', 'linux.memoryPolicy'];
const MOUNT_MAPPINGS: [string, string] = ['1.1.0', 'mounts[].uidMappings'];

const rlimit = (r: Record<string, unknown>) => (b: BundleBuilder) => b.set('process.rlimits', [r]);

// --- a relative hook path, which a runtime might resolve against its cwd or the bundle ---

/**
 * A hook whose path is relative to the bundle and to the runtime's working directory
 * alike (create runs in the bundle directory): a runtime that accepts relative paths
 * finds a working program either way, so only a refusal passes.
 */
const relativeHook = defineCase({
  id: 'validity.hooks.path-relative',
  title: 'a hook path that is not absolute (rootfs/bin/true) makes create fail',
  requirements: ['config:hooks.path-absolute', INVALID, NO_CONTAINER],
  exercises: ['hooks.createRuntime[0]'],
  needs: CREATE_RUNTIME,
  invalid: true,
  bundle: (b) => b.probe({ only: ['meta'] }).hook('createRuntime', { path: 'rootfs/bin/true' }),
  async check(t) {
    const created = await t.rt.create(t.id, t.bundle.dir, [], { cwd: t.bundle.dir });
    const refusal = refusalOf(t);
    if (created.ok) {
      await t.state(); // registers the pid for cleanup
      refusal.ok(false, 'create accepted a relative hook path', { expected: 'an error', actual: 'success' });
      return;
    }
    refusal.expectError(created, 'create with a relative hook path');
    if (!created.timedOut && !created.signal)
      t.req(NO_CONTAINER).expectError(await t.rt.state(t.id), 'state after the refused create (no container may be left behind)');
  },
});

// --- cgroupsPath: values only the host or the runtime can rule out ---------------------

const rand = () => Math.random().toString(36).slice(2, 10);

const cgroupNewline = defineCase({
  id: 'validity.cgroups-path.newline',
  title: 'a cgroupsPath with a newline in it (no cgroup can have that name) makes create fail',
  requirements: ['config-linux:cgroups-path.invalid-error', 'runtime:create.apply-fail-error', NO_CONTAINER],
  exercises: ['linux.cgroupsPath'],
  bundle: (b) => b.probe({ only: ['meta'] }).cgroupsPath(`/conform-${rand()}\nnewline`),
  async check(t) {
    // cgroup_mkdir refuses names with a newline (EINVAL): the runtime cannot apply the path.
    await expectRefusedNoCgroup(refusalOf(t), 'a cgroupsPath with a newline', t.bundle.config.linux!.cgroupsPath!);
  },
});

const ESCAPE_DEPTH = 8;

const cgroupEscape = defineCase({
  id: 'validity.cgroups-path.dot-dot',
  title: 'a cgroupsPath climbing above the mount point (/../../…/conform-x) is refused, or kept inside the cgroup hierarchies',
  requirements: ['config-linux:cgroups-path.invalid-values', 'config-linux:cgroups-path.invalid-error', 'config-linux:cgroups-path.absolute'],
  // Nothing to strip: the path is the point. A create that does nothing fails the case.
  exercises: ['op:create'],
  bundle: (b) => b.probe({ only: ['meta'] }).cgroupsPath(`${'/..'.repeat(ESCAPE_DEPTH)}/conform-escape-${rand()}`),
  async check(t) {
    const leaf = t.bundle.config.linux!.cgroupsPath!.split('/').pop()!;
    // Taken literally from any mount point less than ESCAPE_DEPTH deep, the path is /<leaf>.
    const outside = `/${leaf}`;
    try {
      const created = await t.rt.create(t.id, t.bundle.dir);
      // A runtime MAY deem the path invalid, and then MUST generate an error (cleanly);
      // if it takes it, it is "relative to the cgroups mount point": never outside it.
      const invalid = t.req('config-linux:cgroups-path.invalid-error');
      const absolute = t.req('config-linux:cgroups-path.absolute');
      if (!created.ok) {
        invalid.expectError(created, 'create with a cgroupsPath above the mount point');
        if (!created.timedOut && !created.signal)
          invalid.expectError(await t.rt.state(t.id), 'state after the refused create (no container may be left behind)');
        t.note('the runtime considers a cgroupsPath above the cgroup mount point invalid');
      } else {
        const st = await t.state();
        if (typeof st.pid !== 'number' || st.pid <= 0) t.abort('state of the created container has no pid', { actual: st.pid });
        const dirs = cgroupDirsOf(st.pid!);
        t.note(`the runtime accepted the path; the container's cgroups: ${dirs.join(', ')}`);
        absolute.ok(
          dirs.some((d) => d.endsWith(`/${leaf}`)),
          `the container's cgroup is ${leaf} (the path's last component) in some hierarchy`,
          { actual: dirs },
        );
      }
      absolute.ok(!existsSync(outside), `nothing was created at ${outside}, outside every cgroup hierarchy`);
    } finally {
      try {
        rmdirSync(outside);
        t.note(`cleanup: removed ${outside}`);
      } catch {
        /* not there, as it should be */
      }
    }
  },
});

export default [
  // --- config.md: top level, root, process, user, mounts, rlimits ---
  refused({
    id: 'oci-version.missing',
    what: 'a config without ociVersion',
    requirements: ['config:oci-version.required'],
    exercises: ['op:create'],
    edit: (b) => b.unset('ociVersion'),
  }),
  refused({
    id: 'root.missing',
    what: 'a config without root',
    requirements: ['config:root.required'],
    exercises: ['op:create'],
    edit: (b) => b.unset('root'),
  }),
  refused({
    id: 'root.path-missing',
    what: 'a root without path',
    requirements: ['config:root.path.required'],
    exercises: ['op:create'],
    edit: (b) => b.set('root', { readonly: false }),
  }),
  refused({
    id: 'process.cwd-missing',
    what: 'a process without cwd',
    requirements: ['config:process.cwd.required'],
    exercises: OPS,
    processProperty: true,
    edit: (b) => b.unset('process.cwd'),
  }),
  refused({
    id: 'process.user.uid-missing',
    what: 'a process user without uid',
    requirements: ['config:process.user.required-fields'],
    exercises: OPS,
    processProperty: true,
    edit: (b) => b.set('process.user', { gid: 1000 }),
  }),
  refused({
    id: 'process.user.gid-missing',
    what: 'a process user without gid',
    requirements: ['config:process.user.required-fields'],
    exercises: OPS,
    processProperty: true,
    edit: (b) => b.set('process.user', { uid: 1000 }),
  }),
  refused({
    id: 'mounts.destination-missing',
    what: 'a mount without destination',
    requirements: ['config:mounts.destination.required'],
    exercises: [`mounts[${NEXT_MOUNT}]`],
    edit: (b) => b.mount({ type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] } as unknown as Mount),
  }),
  ...(
    [
      ['type', { soft: 1024, hard: 1024 }],
      ['soft', { type: 'RLIMIT_NOFILE', hard: 1024 }],
      ['hard', { type: 'RLIMIT_NOFILE', soft: 1024 }],
    ] as const
  ).map(([field, r]) =>
    refused({
      id: `rlimits.${field}-missing`,
      what: `an rlimit without ${field}`,
      requirements: ['config:process.rlimits.required-fields'],
      exercises: ['process.rlimits[0]'],
      processProperty: true,
      edit: rlimit(r),
    }),
  ),
  ...(
    [
      ['uid', 'uidMappings', 'container-id', { hostID: 300000, size: 10 }],
      ['gid', 'gidMappings', 'host-id', { containerID: 70000, size: 10 }],
      ['uid', 'uidMappings', 'size', { containerID: 70000, hostID: 300000 }],
    ] as const
  ).map(([kind, key, field, line]) =>
    refused({
      id: `id-mappings.${field}-missing`,
      what: `a ${key} line without ${field === 'container-id' ? 'containerID' : field === 'host-id' ? 'hostID' : 'size'}`,
      requirements: ['config-linux:user-mappings.required-fields'],
      exercises: [`linux.${key}[1]`],
      needs: USER_NS,
      edit: (b) => userNsWith(b, kind, line),
    }),
  ),

  // --- config.md: hooks ---
  refused({
    id: 'hooks.path-missing',
    what: 'a hook without path',
    requirements: ['config:hooks.required-fields'],
    exercises: ['hooks.createRuntime[0]'],
    needs: CREATE_RUNTIME,
    edit: (b) => b.hook('createRuntime', { args: ['sh', '-c', 'exit 0'] } as unknown as Hook),
  }),
  relativeHook,
  ...([0, -1] as const).map((timeout) =>
    refused({
      id: `hooks.timeout-${timeout === 0 ? 'zero' : 'negative'}`,
      what: `a hook timeout of ${timeout}`,
      requirements: ['config:hooks.timeout-positive'],
      exercises: ['hooks.createRuntime[0].timeout'],
      needs: CREATE_RUNTIME,
      edit: (b) => b.hook('createRuntime', okHook({ timeout })),
    }),
  ),

  // --- config-linux.md: namespaces, seccomp ---
  refused({
    id: 'namespaces.type-missing',
    what: 'a namespace entry without type',
    requirements: ['config-linux:namespaces.required-fields'],
    exercises: [`linux.namespaces[${defaultConfig().linux!.namespaces!.length}]`],
    edit: (b) => b.set('linux.namespaces', [...defaultConfig().linux!.namespaces!, {}]),
  }),
  refused({
    id: 'seccomp.default-action-missing',
    what: 'a seccomp filter without defaultAction',
    requirements: ['config-linux:seccomp.required-fields'],
    exercises: ['linux.seccomp'],
    needs: SECCOMP,
    edit: (b) => b.set('linux.seccomp', { syscalls: [{ names: [ACCT], action: 'SCMP_ACT_ERRNO' }] }),
  }),
  refused({
    id: 'seccomp.listener-metadata-without-path',
    what: 'seccomp listenerMetadata without listenerPath',
    requirements: ['config-linux:seccomp.listener-metadata.needs-path'],
    exercises: ['linux.seccomp.listenerMetadata'],
    needs: SECCOMP,
    edit: (b) => b.set('linux.seccomp', { ...seccompRule({ names: [ACCT], action: 'SCMP_ACT_ERRNO' }), listenerMetadata: 'conform-metadata' }),
  }),
  ...(
    [
      ['names', { action: 'SCMP_ACT_ERRNO' }],
      ['action', { names: [ACCT] }],
    ] as const
  ).map(([field, rule]) =>
    refused({
      id: `seccomp.syscall-${field}-missing`,
      what: `a seccomp rule without ${field}`,
      requirements: ['config-linux:seccomp.syscalls.required-fields'],
      exercises: ['linux.seccomp.syscalls[0]'],
      needs: SECCOMP,
      edit: (b) => b.set('linux.seccomp', seccompRule(rule)),
    }),
  ),
  ...(
    [
      ['index', { value: 1, op: 'SCMP_CMP_EQ' }],
      ['value', { index: 0, op: 'SCMP_CMP_EQ' }],
      ['op', { index: 0, value: 1 }],
    ] as const
  ).map(([field, arg]) =>
    refused({
      id: `seccomp.arg-${field}-missing`,
      what: `a seccomp argument condition without ${field}`,
      requirements: ['config-linux:seccomp.syscalls.args.required-fields'],
      exercises: ['linux.seccomp.syscalls[0].args[0]'],
      needs: SECCOMP,
      edit: (b) => b.set('linux.seccomp', seccompRule({ names: [ACCT], action: 'SCMP_ACT_ERRNO', args: [arg] })),
    }),
  ),

  // --- config.md: scheduler, ioPriority ---
  refused({
    id: 'scheduler.policy-missing',
    what: 'a scheduler without policy',
    requirements: ['config:process.scheduler.required-fields'],
    exercises: ['process.scheduler'],
    processProperty: true,
    since: SCHED,
    edit: (b) => b.set('process.scheduler', { nice: 5 }),
  }),
  refused({
    id: 'scheduler.policy-unknown',
    what: 'scheduler policy SCHED_CONFORM (not one the spec lists)',
    requirements: ['config:process.scheduler.policy'],
    exercises: ['process.scheduler'],
    processProperty: true,
    since: SCHED,
    edit: (b) => b.set('process.scheduler', { policy: 'SCHED_CONFORM' }),
  }),
  ...(
    [
      ['class-missing', 'an ioPriority without class', ['config:process.io-priority.required-fields'], { priority: 4 }],
      ['priority-missing', 'an ioPriority without priority', ['config:process.io-priority.required-fields'], { class: 'IOPRIO_CLASS_BE' }],
      [
        'class-unknown',
        'ioPriority class IOPRIO_CLASS_CONFORM (not one the spec lists)',
        ['config:process.io-priority'],
        { class: 'IOPRIO_CLASS_CONFORM', priority: 4 },
      ],
      // No class has a level 8 (ioprio_set(2): 0-7); since Linux 6.5 the kernel would even take
      // it, as level 0 plus an I/O hint, so only the runtime can refuse it.
      [
        'priority-8',
        'ioPriority level 8 (levels are 0 to 7)',
        ['config:process.io-priority.range', 'runtime:create.apply-fail-error'],
        { class: 'IOPRIO_CLASS_BE', priority: 8 },
      ],
    ] as const
  ).map(([id, what, reqs, value]) =>
    refused({
      id: `io-priority.${id}`,
      what,
      requirements: [...reqs],
      exercises: ['process.ioPriority'],
      processProperty: true,
      since: IOPRIO,
      edit: (b) => b.set('process.ioPriority', value),
    }),
  ),

  // --- config-linux.md: personality, memory policy ---
  refused({
    id: 'personality.domain-missing',
    what: 'a personality without domain',
    requirements: ['config-linux:personality.required-fields'],
    exercises: ['linux.personality'],
    since: PERSONALITY,
    edit: (b) => b.set('linux.personality', {}),
  }),
  refused({
    id: 'personality.domain-unknown',
    what: 'personality domain PER_BSD (not one the spec lists)',
    requirements: ['config-linux:personality.domain'],
    exercises: ['linux.personality'],
    since: PERSONALITY,
    edit: (b) => b.set('linux.personality', { domain: 'PER_BSD' }),
  }),
  refused({
    id: 'personality.flags',
    what: 'a personality flag (ADDR_NO_RANDOMIZE; the spec supports none)',
    requirements: ['config-linux:personality.no-flags'],
    exercises: ['linux.personality.flags'],
    since: PERSONALITY,
    edit: (b) => b.set('linux.personality', { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] }),
  }),
  ...(
    [
      ['mode-missing', 'a memoryPolicy without mode', ['config-linux:memory-policy.required-fields'], { nodes: '0' }],
      ['mode-unknown', 'memoryPolicy mode MPOL_CONFORM (not one the spec lists)', ['config-linux:memory-policy.applied'], { mode: 'MPOL_CONFORM', nodes: '0' }],
      // set_mempolicy(2): MPOL_BIND needs a non-empty node mask (EINVAL).
      [
        'bind-without-nodes',
        'memoryPolicy MPOL_BIND without nodes',
        ['config-linux:memory-policy.applied', 'runtime:create.apply-fail-error'],
        { mode: 'MPOL_BIND' },
      ],
    ] as const
  ).map(([id, what, reqs, value]) =>
    refused({
      id: `memory-policy.${id}`,
      what,
      requirements: [...reqs],
      exercises: ['linux.memoryPolicy'],
      since: MEMPOLICY,
      edit: (b) => b.set('linux.memoryPolicy', value),
    }),
  ),

  // --- config-linux.md: resources ---
  ...(
    [
      [
        'hugepage.page-size-missing',
        'a hugepage limit without pageSize',
        'config-linux:resources.hugepage-limits.required-fields',
        'linux.resources.hugepageLimits',
        { limit: 2097152 },
      ],
      [
        'hugepage.limit-missing',
        'a hugepage limit without limit',
        'config-linux:resources.hugepage-limits.required-fields',
        'linux.resources.hugepageLimits',
        { pageSize: '2MB' },
      ],
      [
        'network.name-missing',
        'a network priority without name',
        'config-linux:resources.network.required-fields',
        'linux.resources.network.priorities',
        { priority: 5 },
      ],
      [
        'network.priority-missing',
        'a network priority without priority',
        'config-linux:resources.network.required-fields',
        'linux.resources.network.priorities',
        { name: 'eth0' },
      ],
      [
        'block-io.weight-device-no-weight',
        'a blockIO weightDevice with neither weight nor leafWeight',
        'config-linux:resources.block-io.weight-device.one-of',
        'linux.resources.blockIO.weightDevice',
        { major: 8, minor: 0 },
      ],
      [
        'block-io.weight-device-major-missing',
        'a blockIO weightDevice without major',
        'config-linux:resources.block-io.required-fields',
        'linux.resources.blockIO.weightDevice',
        { minor: 0, weight: 500 },
      ],
      [
        'block-io.throttle-rate-missing',
        'a blockIO throttle entry without rate',
        'config-linux:resources.block-io.required-fields',
        'linux.resources.blockIO.throttleReadBpsDevice',
        { major: 8, minor: 0 },
      ],
    ] as const
  ).map(([id, what, req, path, entry]) =>
    refused({
      id: `resources.${id}`,
      what,
      requirements: [req],
      exercises: [`${path}[0]`],
      edit: (b) => b.set(path, [entry]),
    }),
  ),
  refused({
    id: 'resources.rdma.neither',
    what: 'an RDMA entry with neither hcaHandles nor hcaObjects',
    requirements: ['config-linux:resources.rdma.one-of'],
    exercises: ['linux.resources.rdma'],
    edit: (b) => b.set('linux.resources.rdma', { mlx5_1: {} }),
  }),

  // --- config.md: mount id mappings come in pairs ---
  ...(['uid', 'gid'] as const).map((kind) =>
    refused({
      id: `mounts.${kind}-mappings-alone`,
      what: `a bind mount with ${kind}Mappings but no ${kind === 'uid' ? 'gid' : 'uid'}Mappings`,
      requirements: [kind === 'uid' ? 'config:mounts.uid-mappings.with-gid' : 'config:mounts.gid-mappings.with-uid'],
      exercises: [`mounts[${NEXT_MOUNT}]`],
      since: MOUNT_MAPPINGS,
      edit: (b) => {
        const source = b.hostDir('idmap-source');
        b.mount({
          destination: '/mnt',
          type: 'none',
          source,
          options: ['bind'],
          [`${kind}Mappings`]: [{ containerID: 0, hostID: 100000, size: 65536 }],
        } as Mount);
      },
    }),
  ),

  // --- config-linux.md: cgroupsPath values the runtime cannot, or may refuse to, use ---
  cgroupNewline,
  cgroupEscape,
] as Case[];
