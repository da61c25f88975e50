// config.md "Specification version", "Extensibility" and "Valid values": a version
// the runtime does not support is an error; a property it does not know is ignored
// (and only that property: its siblings still apply); an unknown value of a known
// property is an error.
import { hostname } from 'node:os';
import { defineCase } from '../harness/case/case.js';
import type { BundleBuilder } from '../harness/case/bundle.js';
import type { CaseContext } from '../harness/case/context.js';
import type { Env } from '../harness/host/env.js';
import type { ProbeFacts } from '../harness/probe/parse.js';
import { compareSemVer, parseSemVer, type SemVer } from '../schemas/semver.js';
import { markerHook, markerSet } from './support/markers.js';
import { refusalOf } from './support/refuse.js';
import { ERRNO_A, TRY_FN, attemptsOf, outcome } from './support/seccomp.js';

/** Unknown properties of every JSON type, as a later spec version might add them. */
const UNKNOWN = {
  conformUnknownString: 'value',
  conformUnknownNumber: 42,
  conformUnknownNull: null,
  conformUnknownList: [1, 'two', { three: 3 }],
  conformUnknownObject: { nested: { deeper: [true, false] } },
};

/** Adds UNKNOWN to the object at `path` in the config (created by the case's other edits). */
function unknownAt(b: BundleBuilder, path: string): void {
  b.edit((c) => {
    let cur: Record<string, unknown> = c as unknown as Record<string, unknown>;
    for (const k of path.split('.').filter(Boolean)) cur = cur[k] as Record<string, unknown>;
    Object.assign(cur, structuredClone(UNKNOWN));
  });
}

function features(env: Env): { min?: SemVer; max?: SemVer } {
  const f = env.runtime.features;
  return { min: f ? parseSemVer(f.ociVersionMin) : undefined, max: f ? parseSemVer(f.ociVersionMax) : undefined };
}

/**
 * A version of the major release before `min`'s, or undefined when `min` is 0.x. Not a
 * lower version of the same major: config.md says the spec "retains forward and backward
 * compatibility within major versions" (a 1.0 config is compatible with every runtime
 * that supports 1.0 or later), so only an earlier major is a value the runtime does not
 * support.
 */
function below(min: SemVer): string | undefined {
  return min.major > 0 ? `${min.major - 1}.5.0` : undefined;
}

/** create must fail for the case's bundle, and leave no container. */
async function refused(t: CaseContext, what: string): Promise<void> {
  refusalOf(t).expectError(await t.rt.create(t.id, t.bundle.dir), `create with ${what}`);
  t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state of the container whose create failed');
}

/**
 * Whether a runtime must refuse a version outside the ones it supports is not settled
 * by the text: config.md says only that such a config "is not compatible" (no keyword),
 * features.md that the runtime "MUST accept" ociVersionMin and ociVersionMax (nothing of
 * other versions), and the one MUST that could apply is "Valid values": "Runtimes MUST
 * generate an error when invalid or unsupported values are encountered", which never says
 * what makes a version unsupported. runc and crun do not check ociVersion.
 */
const VERSION_DISPUTE =
  'config.md says a config of a version the runtime does not support "is not compatible" with it (no RFC 2119 keyword), features.md only that the runtime "MUST accept" ociVersionMin and ociVersionMax, and "Runtimes MUST generate an error when invalid or unsupported values are encountered" never says when a version is unsupported; runc and crun do not check ociVersion';

function versionCase(o: { id: string; title: string; pick: (env: Env) => string | undefined; why: string }) {
  return defineCase({
    id: `extensibility.oci-version.${o.id}`,
    title: o.title,
    requirements: ['config:valid-values.invalid-error', 'runtime:create.apply-fail-no-container'],
    disputed: VERSION_DISPUTE,
    exercises: ['ociVersion'],
    bundle: (b, env) => {
      const v = o.pick(env);
      if (v) b.ociVersion(v);
    },
    async check(t) {
      const v = o.pick(t.env);
      if (!v) t.skip(o.why);
      await refused(t, `ociVersion ${v}`);
    },
  });
}

/**
 * A case where unknown properties sit beside a known setting, which must still apply.
 * When it does not, a control run (the same config without the unknown properties)
 * tells why: if the setting does not apply there either, the runtime does not implement
 * it (its own cases say so) and whether it ignores unknown properties cannot be seen;
 * only a setting that applies without them and not with them fails this case.
 */
function unknownCase(o: {
  id: string;
  title: string;
  exercises: string[];
  requirements?: string[];
  needs?: string[];
  known: (b: BundleBuilder) => void;
  unknown: (b: BundleBuilder) => void;
  judge: (t: CaseContext, facts: ProbeFacts, host: { hostname: string }) => void;
}) {
  return defineCase({
    id: `extensibility.unknown.${o.id}`,
    title: o.title,
    requirements: ['config:extensibility.unknown-ignored', ...(o.requirements ?? [])],
    exercises: o.exercises,
    // The strip wrapper strips the control run too (the case then skips): a runtime that
    // refuses unknown properties shows that the case can fail.
    misbehaving: 'strict.sh',
    needs: o.needs,
    bundle: (b) => {
      o.known(b);
      o.unknown(b);
    },
    async check(t) {
      // Accepting the config, and the known setting applying beside the unknown properties,
      // is what "MUST otherwise ignore them" asks; the setting itself is its own cases' to judge.
      const ignored = t.req('config:extensibility.unknown-ignored');
      const host = { hostname: hostname() };
      const facts = await ignored.probe();
      if (t.trial((j) => o.judge(j, facts, host)).length) {
        const control = await t.newBundle(o.known);
        const controlFacts = await t.probe({ id: t.newId(), bundle: control });
        const controlFailed = t.trial((j) => o.judge(j, controlFacts, host));
        if (controlFailed.length) {
          t.skip(
            `${o.exercises.join(', ')} does not apply even without unknown properties (${controlFailed[0]!.message}): whether the runtime ignores unknown properties cannot be seen through it`,
          );
        }
        t.note('the same config without the unknown properties applies the setting');
      }
      o.judge(ignored, facts, host);
    },
  });
}

export default [
  versionCase({
    id: 'other-major',
    title: 'an ociVersion of a major version the runtime does not support (2.0.0, or past its ociVersionMax) makes create fail',
    pick: (env) => `${Math.max(1, features(env).max?.major ?? 1) + 1}.0.0`,
    why: '',
  }),
  versionCase({
    id: 'above-max',
    title: "an ociVersion above the runtime's ociVersionMax (next minor) makes create fail",
    pick: (env) => {
      const max = features(env).max;
      return max ? `${max.major}.${max.minor + 1}.0` : undefined;
    },
    why: "needs the runtime's `features` (ociVersionMax) to know which versions it does not support",
  }),
  versionCase({
    id: 'below-min',
    title: "an ociVersion of a major version below the runtime's ociVersionMin (0.5.0 for 1.x) makes create fail",
    pick: (env) => {
      const min = features(env).min;
      const v = min && below(min);
      return v && min && compareSemVer(parseSemVer(v)!, min) < 0 ? v : undefined;
    },
    why: 'needs the runtime\'s `features` with an ociVersionMin of major version 1 or later (a lower version of the same major is compatible: config.md "Specification version")',
  }),

  defineCase({
    id: 'extensibility.oci-version.not-semver',
    title: 'an ociVersion that is not SemVer 2.0.0 ("1.0") makes create fail',
    requirements: ['config:oci-version.semver', 'config:valid-values.invalid-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['ociVersion'],
    invalid: true,
    bundle: (b) => b.probe({ only: ['meta'] }).ociVersion('1.0'),
    async check(t) {
      await refused(t, 'ociVersion "1.0"');
    },
  }),

  unknownCase({
    id: 'top-level',
    title: 'unknown top-level properties are ignored, and the known ones still apply (hostname)',
    exercises: ['hostname'],
    known: (b) => b.probe({ only: ['uts'] }).hostname('conform-ext'),
    unknown: (b) => {
      unknownAt(b, '');
      b.set('com.example.conform', { future: 'section' });
    },
    judge: (t, facts) => t.equal(facts.hostname, 'conform-ext', 'hostname in the container'),
  }),

  unknownCase({
    id: 'process',
    title: 'unknown properties in process, process.user, an rlimit and process.capabilities are ignored; cwd, uid and the rlimit apply',
    exercises: ['process.cwd', 'process.user.uid', 'process.rlimits'],
    // The shell's ulimit (getrlimit) rather than /proc/PID/limits: sandboxes format the latter their own way.
    known: (b) =>
      b
        .probe({ only: ['status', 'cwd'], cmds: { nofile: 'echo "$(ulimit -Sn) $(ulimit -Hn)"' } })
        .cwd('/tmp')
        .user({ uid: 1000, gid: 1000 })
        .rlimit('RLIMIT_NOFILE', 512, 768),
    unknown: (b) => {
      for (const path of ['process', 'process.user', 'process.rlimits.0', 'process.capabilities']) unknownAt(b, path);
    },
    judge: (t, facts) => {
      t.equal(facts.cwd, '/tmp', 'working directory');
      t.equal(facts.status?.uid[0], 1000, 'real uid');
      t.equal(facts.cmds.nofile?.output.trim(), '512 768', 'RLIMIT_NOFILE soft and hard (ulimit -Sn, -Hn)');
    },
  }),

  unknownCase({
    id: 'root',
    title: 'an unknown property in root is ignored; root.readonly still applies',
    exercises: ['root.readonly'],
    known: (b) => b.probe({ only: ['meta'], cmds: { try: `${TRY_FN}\nt_ write touch /conform-file` } }).readonlyRoot(true),
    unknown: (b) => unknownAt(b, 'root'),
    judge: (t, facts) => t.equal(outcome(attemptsOf(facts).get('write')), 'EROFS', 'creating a file in / (read-only root)'),
  }),

  unknownCase({
    id: 'mount',
    title: 'an unknown property in a mount entry is ignored; the mount is still made',
    exercises: ['mounts[6]'],
    known: (b) => b.probe({ only: ['mountinfo'] }).mount({ destination: '/conform-ext', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'size=1m'] }),
    unknown: (b) => unknownAt(b, 'mounts.6'),
    judge: (t, facts) => t.equal(facts.mounts?.find((e) => e.mountPoint === '/conform-ext')?.fsType, 'tmpfs', 'filesystem type at /conform-ext'),
  }),

  unknownCase({
    id: 'linux',
    title: 'unknown linux properties (scalars and whole sub-objects) are ignored; linux.readonlyPaths still applies',
    exercises: ['linux.readonlyPaths'],
    known: (b) =>
      b
        .probe({ only: ['meta'], cmds: { try: `${TRY_FN}\nt_ write touch /conform-ro/file` } })
        .mkdir('/conform-ro', 0o777)
        .readonlyPaths(['/conform-ro']),
    unknown: (b) => {
      unknownAt(b, 'linux');
      b.set('linux.conformFutureDevices', { gpu0: { vendor: 'conform', options: ['a', 'b'] } });
    },
    judge: (t, facts) => t.equal(outcome(attemptsOf(facts).get('write')), 'EROFS', 'creating a file under /conform-ro (a readonlyPaths entry)'),
  }),

  unknownCase({
    id: 'namespace',
    title: "an unknown property in a namespace entry is ignored; the namespace is still created (uts: the hostname is the container's alone)",
    exercises: ['linux.namespaces[3]'],
    known: (b) => {
      b.probe({ only: ['uts'] }).hostname('conform-ext-ns');
      // The default namespaces are pid, network, ipc, uts, mount: uts is at index 3.
      if (b.config.linux?.namespaces?.[3]?.type !== 'uts') throw new Error('extensibility.unknown.namespace expects uts at linux.namespaces[3]');
    },
    unknown: (b) => unknownAt(b, 'linux.namespaces.3'),
    judge: (t, facts, before) => {
      t.equal(facts.hostname, 'conform-ext-ns', 'hostname inside');
      t.equal(hostname(), before.hostname, "the host's hostname (a uts namespace of the container's own kept it)");
    },
  }),

  defineCase({
    id: 'extensibility.unknown.hooks',
    title: 'an unknown hook kind is ignored (not run), and an unknown property in a known hook entry does not stop it from running',
    requirements: ['config:extensibility.unknown-ignored'],
    exercises: ['hooks.createRuntime'],
    bundle: (b) => {
      b.probe({ only: ['meta'] });
      b.hook('createRuntime', markerHook(b, 'createRuntime'));
      b.edit((c) => {
        const hooks = c.hooks as Record<string, unknown>;
        hooks.conformUnknownHook = [markerHook(b, 'conformUnknownHook')];
      });
      unknownAt(b, 'hooks');
      unknownAt(b, 'hooks.createRuntime.0');
    },
    async check(t) {
      await t.probe();
      t.ok(markerSet(t.bundle.dir, 'createRuntime'), 'the createRuntime hook ran');
      t.ok(!markerSet(t.bundle.dir, 'conformUnknownHook'), 'the hook under an unknown hook kind did not run');
    },
  }),

  unknownCase({
    id: 'seccomp',
    title: 'unknown properties in seccomp, a syscall rule and an argument condition are ignored; the rule still applies',
    exercises: ['linux.seccomp.syscalls[0]'],
    requirements: ['config-linux:seccomp.syscalls.args'],
    needs: ['feature:linux.seccomp.enabled', 'feature:linux.seccomp.actions=SCMP_ACT_ERRNO'],
    known: (b) =>
      b.probe({ only: ['meta'], cmds: { try: `${TRY_FN}\nt_ nice7 renice 7 -p 0\nt_ nice8 renice 8 -p 0` } }).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['setpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code, args: [{ index: 2, value: 7, op: 'SCMP_CMP_EQ' }] }],
      }),
    unknown: (b) => {
      for (const path of ['linux.seccomp', 'linux.seccomp.syscalls.0', 'linux.seccomp.syscalls.0.args.0']) unknownAt(b, path);
    },
    judge: (t, facts) => {
      const got = attemptsOf(facts);
      t.equal(outcome(got.get('nice7')), ERRNO_A.name, 'renice 7 (the rule matches priority 7)');
      t.equal(outcome(got.get('nice8')), 'ok', 'renice 8 (the rule does not match)');
    },
  }),

  ...(
    [
      // (An unknown namespace type is namespaces.unknown-type's.)
      [
        'rootfs-propagation',
        'an unknown rootfsPropagation',
        ['linux.rootfsPropagation'],
        (b: BundleBuilder) => b.rootfsPropagation('conform-unknown' as 'private'),
      ],
      [
        'device-type',
        'a device of unknown type "x"',
        ['linux.devices'],
        (b: BundleBuilder) => b.set('linux.devices', [{ path: '/dev/conform-x', type: 'x', major: 1, minor: 3 }]),
      ],
      [
        'device-access',
        'a device cgroup rule with unknown access "rwz"',
        ['linux.resources.devices'],
        (b: BundleBuilder) => b.set('linux.resources.devices', [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwz' }]),
      ],
    ] as const
  ).map(([id, what, exercises, edit]) =>
    defineCase({
      id: `extensibility.invalid.${id}`,
      title: `${what} (a value the spec does not define) makes create fail`,
      requirements: ['config:valid-values.invalid-error', 'runtime:create.apply-fail-no-container'],
      exercises: [...exercises],
      invalid: true,
      bundle: (b) => {
        b.probe({ only: ['meta'] });
        edit(b);
      },
      async check(t) {
        await refused(t, what);
      },
    }),
  ),
];
