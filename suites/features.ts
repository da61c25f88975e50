// features.md and features-linux.md: the `features` output is well-formed, and what
// it claims holds when the claim is put to use in config.json. A runtime that lists
// values it does not handle fails here; one without `features` skips these cases.
import { defineCase } from '../harness/case/case.js';
import type { BundleBuilder } from '../harness/case/bundle.js';
import type { CaseContext } from '../harness/case/context.js';
import { unmetNeed, type Env } from '../harness/host/env.js';
import { NS_FILE, type NamespaceKind } from '../harness/host/hostfacts.js';
import type { ProbeFacts } from '../harness/probe/parse.js';
import { capNumber, lastCap } from '../linux/capabilities.js';
import type { Features } from '../schemas/features.js';
import type { HookName, Mount, SeccompArch, SeccompOperator } from '../schemas/config.js';
import type { SeccompAction, SeccompFlag } from '../schemas/enums.js';
import { validateFeatures } from '../schemas/index.js';
import { compareSemVer, parseSemVer } from '../schemas/semver.js';
import { createdPid } from './cgroups/common.js';
import { readCgroupFile, versionFor } from './cgroups/host.js';
import { listenOnce, type Agent } from './support/listener.js';
import { markerHook, markerSet } from './support/markers.js';
import { TRY_FN, UNUSED_SYSCALLS, attemptsOf, outcome } from './support/seccomp.js';
import { trial, trialAll } from './support/trials.js';
import { REFUSED } from './support/tamper.js';

/** The runtime's features, or a skip saying why there are none. */
function need(t: CaseContext): Features {
  const f = t.env.runtime.features;
  if (f) return f;
  const raw = t.env.runtime.featuresRaw;
  if (raw && raw.code !== 0 && !raw.timedOut)
    t.skip(`the runtime has no \`features\` command (it exited with ${raw.code}); features.md makes the structure optional`);
  t.skip(`no usable features output: ${t.env.runtime.featuresNote ?? 'unknown reason'} (features.schema judges the output itself)`);
}

/**
 * The features document as the runtime printed it, valid against our schema or not: the
 * cases that judge the document itself must not skip on exactly what they judge (a
 * document whose ociVersionMax is below its ociVersionMin fails the schema too).
 */
function printed(t: CaseContext): Record<string, unknown> {
  const raw = t.env.runtime.featuresRaw;
  if (!raw || raw.timedOut || raw.code !== 0) return need(t) as unknown as Record<string, unknown>;
  try {
    const doc: unknown = JSON.parse(raw.stdout);
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    /* features.schema judges that */
  }
  t.skip('`features` printed no JSON object (features.schema judges the output itself)');
}

/** A list the features output holds at `pick`, or a skip when it has none (absent or null: no claim). */
function listed<T>(t: CaseContext, what: string, pick: (f: Features) => readonly T[] | null | undefined): readonly T[] {
  const list = pick(need(t));
  if (!list) t.skip(`the runtime's features do not list ${what}`);
  return list;
}

function reportFailed<T>(t: CaseContext, failed: Map<T, string>, what: string): void {
  for (const [v, why] of failed) t.ok(false, `${what} ${String(v)}, which the runtime's features list: ${why}`);
}

const SECCOMP_META = ['status'];
const seccompOn = (facts: { status?: { seccomp?: number } }) =>
  facts.status?.seccomp === 2 ? undefined : `Seccomp in /proc/self/status is ${facts.status?.seccomp}, not 2`;

/** The seccomp architecture of this host's own syscalls. */
const NATIVE_ARCH: Partial<Record<string, SeccompArch>> = {
  x64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  ia32: 'SCMP_ARCH_X86',
  arm: 'SCMP_ARCH_ARM',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390x: 'SCMP_ARCH_S390X',
  ppc64: 'SCMP_ARCH_PPC64LE',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};
const BIG_ENDIAN = new Set<string>([
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_SHEB',
]);

/**
 * The kernel a listed option needs: features.md lists options "including options that
 * might not be supported by the host operating system", so on an older kernel a refusal
 * of these is recorded, not judged. mount_setattr(2) (5.12) for the recursive flags and
 * idmapped mounts; MS_NOSYMFOLLOW (5.10).
 */
const RECURSIVE_ATTRS = new Set([
  'rro',
  'rrw',
  'rnosuid',
  'rsuid',
  'rnodev',
  'rdev',
  'rnoexec',
  'rexec',
  'rnoatime',
  'ratime',
  'rnodiratime',
  'rdiratime',
  'rrelatime',
  'rnorelatime',
  'rstrictatime',
  'rnostrictatime',
  'rnosymfollow',
  'rsymfollow',
]);
const kernelFor = (option: string): string | undefined =>
  RECURSIVE_ATTRS.has(option) || option === 'idmap' || option === 'ridmap'
    ? 'kernel:5.12'
    : option === 'nosymfollow' || option === 'symfollow'
      ? 'kernel:5.10'
      : undefined;

/** Options whose meaning is a filesystem's (mount(2) data), which features.md asks Linux runtimes not to list. */
const FS_SPECIFIC = new Set([
  'user_xattr',
  'nouser_xattr',
  'discard',
  'nodiscard',
  'barrier',
  'nobarrier',
  'inode64',
  'usrquota',
  'grpquota',
  'prjquota',
  'nr_inodes',
  'huge',
]);

function versionAccepted(which: 'ociVersionMin' | 'ociVersionMax') {
  return defineCase({
    id: `features.oci-version.${which === 'ociVersionMin' ? 'min' : 'max'}-accepted`,
    title: `a config.json whose ociVersion is the runtime's ${which} is accepted and runs`,
    requirements: [`features:oci-version.${which === 'ociVersionMin' ? 'min' : 'max'}-accepted`],
    // A runtime that refuses the config.
    tamper: REFUSED,
    bundle: (b, env: Env) => {
      b.probe({ only: ['meta'] });
      const v = env.runtime.features?.[which];
      if (v) b.ociVersion(v);
    },
    async check(t) {
      const v = need(t)[which];
      t.equal(t.bundle.config.ociVersion, v, `ociVersion of the bundle`);
      await t.probe();
    },
  });
}

export default [
  defineCase({
    id: 'features.schema',
    title: '`features` prints JSON that validates against the features schema (known properties only, versions present)',
    requirements: [
      'features:oci-version.min-required',
      'features:oci-version.max-required',
      'features:oci-version.known-properties',
      'features:structure.optional-fields',
    ],
    misbehaving: 'features-invalid.mjs',
    async check(t) {
      const raw = t.env.runtime.featuresRaw;
      if (!raw) return t.skip('the runtime was not asked for its features');
      if (raw.timedOut) return t.abort('`features` did not finish in time');
      if (raw.code !== 0) return t.skip(`the runtime has no \`features\` command (it exited with ${raw.code}); features.md makes the structure optional`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.stdout);
      } catch (e) {
        t.abort(`\`features\` exited 0 but printed no JSON: ${(e as Error).message}`, { actual: raw.stdout.slice(0, 300) });
      }
      // The two versions are REQUIRED; every other property "MAY either be absent or have the null value".
      const about = (path: string) =>
        path.startsWith('ociVersionMin')
          ? 'features:oci-version.min-required'
          : path.startsWith('ociVersionMax')
            ? 'features:oci-version.max-required'
            : 'features:structure.optional-fields';
      for (const p of validateFeatures(parsed).filter((p) => p.level === 'error')) t.req(about(p.path)).ok(false, `${p.path || '(root)'}: ${p.message}`);
    },
  }),

  defineCase({
    id: 'features.oci-version.order',
    title: 'ociVersionMin and ociVersionMax are SemVer, and ociVersionMax is not below ociVersionMin',
    requirements: ['features:oci-version.max-not-below-min', 'features:oci-version.min-required', 'features:oci-version.max-required'],
    misbehaving: 'features-wrong.mjs',
    async check(t) {
      const f = printed(t);
      const min = typeof f.ociVersionMin === 'string' ? parseSemVer(f.ociVersionMin) : undefined;
      const max = typeof f.ociVersionMax === 'string' ? parseSemVer(f.ociVersionMax) : undefined;
      t.req('features:oci-version.min-required').ok(min !== undefined, `ociVersionMin ${JSON.stringify(f.ociVersionMin)} is SemVer 2.0.0`);
      t.req('features:oci-version.max-required').ok(max !== undefined, `ociVersionMax ${JSON.stringify(f.ociVersionMax)} is SemVer 2.0.0`);
      if (min && max)
        t.req('features:oci-version.max-not-below-min').ok(
          compareSemVer(max, min) >= 0,
          `ociVersionMax ${f.ociVersionMax} is not below ociVersionMin ${f.ociVersionMin}`,
        );
    },
  }),

  versionAccepted('ociVersionMin'),
  versionAccepted('ociVersionMax'),

  defineCase({
    id: 'features.hooks',
    title: 'every hook kind `features` lists runs when config.json uses it',
    requirements: ['features:hooks.supported'],
    exercises: ['hooks'],
    bundle: (b, env) => {
      b.probe({ only: ['meta'] });
      for (const name of env.runtime.features?.hooks ?? []) b.hook(name as HookName, markerHook(b, name));
    },
    async check(t) {
      const hooks = listed(t, 'hooks', (f) => f.hooks);
      await t.probe();
      await t.delete(); // poststop hooks run as part of delete
      for (const name of hooks) t.ok(markerSet(t.bundle.dir, name), `the ${name} hook ran`);
    },
  }),

  defineCase({
    id: 'features.namespaces',
    title: 'every namespace type `features` lists is accepted in linux.namespaces and gives the container a new namespace',
    requirements: ['features-linux:namespaces.recognized'],
    exercises: ['linux.namespaces'],
    async check(t) {
      const types = listed(t, 'linux.namespaces', (f) => f.linux?.namespaces) as NamespaceKind[];
      for (const type of types.filter((k) => !t.env.host.namespaces[k])) t.note(`${type}: not tried, this kernel has no ${type} namespaces`);
      // All of them in one container; narrowed down to the ones at fault only when that fails (trialAll).
      const notNew = (facts: ProbeFacts, kind: NamespaceKind) => {
        const inside = facts.ns?.[NS_FILE[kind]];
        return inside !== undefined && inside !== t.env.host.hostNs[kind]
          ? undefined
          : `the container's ${kind} namespace is ${inside ?? 'unknown'}, the runtime's own is ${t.env.host.hostNs[kind]}`;
      };
      const tried = types.filter((k) => t.env.host.namespaces[k]);
      const failed = await trialAll(
        t,
        tried,
        (b, kinds) => {
          b.probe({ only: ['ns'] });
          for (const kind of kinds) b.namespace(kind);
          if (kinds.includes('user')) b.idMappings([{ containerID: 0, hostID: 100000, size: 65536 }], [{ containerID: 0, hostID: 200000, size: 65536 }]);
        },
        (facts, kinds) => kinds.map((k) => notNew(facts, k)).find((why) => why !== undefined),
      );
      for (const type of tried) t.ok(!failed.has(type), `namespace type ${type}: ${failed.get(type)}`);
    },
  }),

  defineCase({
    id: 'features.mount-options',
    title: 'every mount option `features` lists is recognized in a mount (one tmpfs or bind mount per option)',
    requirements: ['features:mount-options.recognized'],
    exercises: ['mounts'],
    async check(t) {
      const options = listed(t, 'mountOptions', (f) => f.mountOptions);
      const src = t.bundle.builder.hostPath('bind-source');
      // idmap/ridmap without mappings and without a user namespace MUST be an error
      // (config.md), and they apply to bind mounts: they get a bind mount with mappings.
      const mappings = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }] };
      const mount = (opt: string, i: number): Mount =>
        opt === 'bind' || opt === 'rbind'
          ? { destination: `/conform-mo/${i}`, type: 'bind', source: src, options: [opt] }
          : opt === 'idmap' || opt === 'ridmap'
            ? { destination: `/conform-mo/${i}`, type: 'bind', source: src, options: [opt === 'idmap' ? 'bind' : 'rbind', opt], ...mappings }
            : { destination: `/conform-mo/${i}`, type: 'tmpfs', source: 'tmpfs', options: [opt] };
      const edit = (b: BundleBuilder, opts: readonly string[]) => {
        b.probe({ only: ['mountinfo'] });
        b.hostDir('bind-source');
        for (const o of opts) b.mount(mount(o, options.indexOf(o)));
      };
      const mounted = (facts: { mounts?: { mountPoint: string }[] }, opts: readonly string[]) => {
        const missing = opts.filter((o) => !facts.mounts?.some((m) => m.mountPoint === `/conform-mo/${options.indexOf(o)}`));
        return missing.length ? `no mount at /conform-mo/N for ${missing.join(', ')}` : undefined;
      };
      // remount only changes an existing mount (on a new one the kernel refuses it, EINVAL):
      // it is tried on a tmpfs the entry before it mounts at the same destination.
      const plain = options.filter((o) => o !== 'remount');
      const failed = new Map<string, string>();
      for (let i = 0; i < plain.length; i += 16) {
        for (const [o, why] of await trialAll(t, plain.slice(i, i + 16), edit, mounted)) failed.set(o, why);
      }
      for (const [o, why] of failed) {
        const older = kernelFor(o) && unmetNeed(kernelFor(o)!, t.env);
        if (older) {
          failed.delete(o);
          t.note(`${o}: ${why} (not judged: the option ${older}, and features.md lets the list name options the host cannot do)`);
        }
      }
      reportFailed(t, failed, 'a mount with option');
      if (options.includes('remount')) {
        const at = `/conform-mo/${options.indexOf('remount')}`;
        const bundle = await t.newBundle((b) => {
          b.probe({ only: ['mountinfo'] });
          b.mount({ destination: at, type: 'tmpfs', source: 'tmpfs', options: [] }).mount({
            destination: at,
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['remount'],
          });
        });
        const why = await trial(t, bundle, (f) => mounted(f, ['remount']));
        t.ok(why === undefined, `a mount with option remount (on the tmpfs the entry before made), which the runtime's features list: ${why}`);
      }
    },
  }),

  defineCase({
    id: 'features.mount-options.generic',
    title: 'the listed mount options leave out filesystem-specific ones (mount(2) data such as size= or mode=)',
    requirements: ['features:mount-options.no-fs-specific'],
    misbehaving: 'features-wrong.mjs',
    async check(t) {
      const options = printed(t).mountOptions;
      if (!Array.isArray(options)) return t.skip("the runtime's features do not list mountOptions");
      const specific = options.filter((o) => typeof o === 'string' && (o.includes('=') || FS_SPECIFIC.has(o)));
      t.equal(specific, [], 'filesystem-specific options in mountOptions');
    },
  }),

  defineCase({
    id: 'features.capabilities',
    title: 'every capability `features` lists (that the kernel knows and conform holds) is granted when config.json asks for it',
    requirements: ['features-linux:capabilities.recognized'],
    exercises: ['process.capabilities'],
    bundle: (b, env) => {
      b.probe({ only: ['status'] });
      const last = lastCap();
      const caps = (env.runtime.features?.linux?.capabilities ?? []).filter((c) => {
        const n = capNumber(c);
        return n !== undefined && n <= last && (env.host.capEff >> BigInt(n)) & 1n;
      });
      b.capabilities({ bounding: caps, effective: caps, permitted: caps });
    },
    async check(t) {
      const listedCaps = listed(t, 'linux.capabilities', (f) => f.linux?.capabilities);
      const asked = t.bundle.config.process?.capabilities?.bounding ?? [];
      const left = listedCaps.filter((c) => !asked.includes(c));
      if (left.length)
        t.note(`not tried (unknown to this kernel or to conform's table, or not held by conform, so a matter for the capabilities suite): ${left.join(', ')}`);
      const st = (await t.probe()).status;
      for (const cap of asked) {
        const bit = 1n << BigInt(capNumber(cap)!);
        t.ok(
          !!st && (st.capBnd & bit) !== 0n && (st.capEff & bit) !== 0n && (st.capPrm & bit) !== 0n,
          `${cap} is in the bounding, effective and permitted sets`,
        );
      }
    },
  }),

  defineCase({
    id: 'features.cgroup.version',
    title: "the cgroup version features claims for the host's pids controller works: a pids limit reaches the container's cgroup",
    requirements: ['features-linux:cgroup.flags'],
    exercises: ['linux.resources.pids.limit'],
    needs: ['cgroup-controller:pids'],
    bundle: (b) => b.probe({ only: ['meta'] }).resources({ pids: { limit: 77 } }),
    async check(t) {
      const version = versionFor(t.env, 'pids') === 1 ? 'v1' : 'v2';
      const claimed = t.env.runtime.features?.linux?.cgroup?.[version];
      if (claimed === undefined) return t.skip(`the runtime's features says nothing about cgroup ${version}`);
      if (claimed !== true) return t.skip(`the runtime's features says cgroup ${version} is not implemented (the pids controller is ${version} here)`);
      const pid = await createdPid(t);
      t.equal(readCgroupFile(pid, 'pids', 'pids.max'), '77', `pids.max of the container's ${version} cgroup (features says cgroup.${version} is true)`);
    },
  }),

  defineCase({
    id: 'features.seccomp.enabled',
    title: 'seccomp.enabled true: a filter is enforced; false: a config with seccomp is refused',
    requirements: ['features-linux:seccomp.enabled', 'config:valid-values.invalid-error', 'runtime:create.apply-fail-error'],
    exercises: ['linux.seccomp'],
    bundle: (b) =>
      b
        .probe({ only: ['meta'], cmds: { try: `${TRY_FN}\nt_ mkdir mkdir /conform-dir` } })
        .seccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }),
    async check(t) {
      const enabled = need(t).linux?.seccomp?.enabled;
      if (enabled === undefined || enabled === null) t.skip("the runtime's features do not say whether seccomp is enabled");
      if (!enabled) {
        t.req('config:valid-values.invalid-error', 'runtime:create.apply-fail-error').expectError(
          await t.rt.create(t.id, t.bundle.dir),
          'create with linux.seccomp, which the runtime says it does not support',
        );
        return;
      }
      const enforced = t.req('features-linux:seccomp.enabled');
      enforced.equal(outcome(attemptsOf(await enforced.probe()).get('mkdir')), 'EPERM', 'mkdir under a SCMP_ACT_ERRNO rule');
    },
  }),

  defineCase({
    id: 'features.seccomp.actions',
    title: 'every seccomp action `features` lists is accepted in a syscall rule (rules on syscalls the probe never makes)',
    requirements: ['features-linux:seccomp.actions'],
    exercises: ['linux.seccomp'],
    async check(t) {
      const actions = listed(t, 'linux.seccomp.actions', (f) => f.linux?.seccomp?.actions);
      const socket = t.bundle.builder.hostPath('agent.sock');
      const agent: Agent | undefined = actions.includes('SCMP_ACT_NOTIFY') ? await listenOnce(socket) : undefined;
      try {
        const failed = await trialAll(
          t,
          actions,
          (b, acts) => {
            b.probe({ only: SECCOMP_META }).seccomp({
              defaultAction: 'SCMP_ACT_ALLOW',
              ...(acts.includes('SCMP_ACT_NOTIFY') ? { listenerPath: socket } : {}),
              syscalls: acts.map((action, i) => ({ names: [UNUSED_SYSCALLS[i]!], action: action as SeccompAction })),
            });
          },
          seccompOn,
        );
        reportFailed(t, failed, 'a rule with action');
      } finally {
        await agent?.close();
      }
    },
  }),

  defineCase({
    id: 'features.seccomp.operators',
    title: 'every seccomp operator `features` lists is accepted in an argument condition',
    requirements: ['features-linux:seccomp.operators'],
    exercises: ['linux.seccomp'],
    async check(t) {
      const operators = listed(t, 'linux.seccomp.operators', (f) => f.linux?.seccomp?.operators);
      const failed = await trialAll(
        t,
        operators,
        (b, ops) =>
          b.probe({ only: SECCOMP_META }).seccomp({
            defaultAction: 'SCMP_ACT_ALLOW',
            syscalls: ops.map((op, i) => ({
              names: [UNUSED_SYSCALLS[i]!],
              action: 'SCMP_ACT_ERRNO',
              args: [{ index: 0, value: 1, ...(op === 'SCMP_CMP_MASKED_EQ' ? { valueTwo: 1 } : {}), op: op as SeccompOperator }],
            })),
          }),
        seccompOn,
      );
      reportFailed(t, failed, 'an argument condition with operator');
    },
  }),

  defineCase({
    id: 'features.seccomp.archs',
    title: 'every seccomp architecture `features` lists is accepted in architectures (next to the native one)',
    requirements: ['features-linux:seccomp.archs'],
    exercises: ['linux.seccomp'],
    async check(t) {
      const archs = listed(t, 'linux.seccomp.archs', (f) => f.linux?.seccomp?.archs);
      const native = NATIVE_ARCH[process.arch];
      if (!native) return t.skip(`conform does not know the seccomp architecture of ${process.arch}`);
      const nativeBig = BIG_ENDIAN.has(native);
      const edit = (b: BundleBuilder, list: readonly string[]) =>
        b.probe({ only: SECCOMP_META }).seccomp({
          defaultAction: 'SCMP_ACT_ALLOW',
          architectures: [...new Set([native, ...(list as SeccompArch[])])],
          syscalls: [{ names: [UNUSED_SYSCALLS[0]!], action: 'SCMP_ACT_ERRNO' }],
        });
      // Those of the native byte order all in one filter; narrowed down only when that fails (trialAll).
      const same = archs.filter((a) => BIG_ENDIAN.has(a) === nativeBig);
      const failed = await trialAll(t, same, edit, seccompOn);
      for (const arch of same) t.ok(!failed.has(arch), `architectures [${native}, ${arch}], which the runtime's features list: ${failed.get(arch)}`);
      // libseccomp cannot put architectures of both byte orders in one filter: a refusal
      // then says nothing about whether the names were recognized, so it is only noted.
      const other = archs.filter((a) => BIG_ENDIAN.has(a) !== nativeBig);
      if (other.length) {
        const why = await trial(t, await t.newBundle((b) => edit(b, other)), seccompOn);
        if (why !== undefined) t.note(`${other.join(', ')} (other byte order than ${native}), next to it: ${why}`);
      }
    },
  }),

  defineCase({
    id: 'features.seccomp.flags',
    title: 'every seccomp flag in supportedFlags works in flags; every one in knownFlags is at least recognized',
    requirements: ['features-linux:seccomp.supported-flags', 'features-linux:seccomp.known-flags'],
    exercises: ['linux.seccomp'],
    async check(t) {
      const sc = need(t).linux?.seccomp;
      const supported = sc?.supportedFlags ?? [];
      const known = (sc?.knownFlags ?? []).filter((f) => !supported.includes(f));
      if (!supported.length && !known.length) t.skip("the runtime's features list no seccomp flags");
      const edit = (b: BundleBuilder, flags: readonly string[]) =>
        b
          .probe({ only: SECCOMP_META })
          .seccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: flags as SeccompFlag[], syscalls: [{ names: [UNUSED_SYSCALLS[0]!], action: 'SCMP_ACT_ERRNO' }] });
      // All of a list in one filter; narrowed down only when that fails (trialAll).
      const failed = await trialAll(t, supported, edit, seccompOn);
      for (const flag of supported)
        t.req('features-linux:seccomp.supported-flags').ok(!failed.has(flag), `flags [${flag}], which supportedFlags lists: ${failed.get(flag)}`);
      // A known flag may be unsupported by this kernel or libseccomp: its refusal is allowed.
      for (const [flag, why] of await trialAll(t, known, edit, seccompOn)) t.note(`${flag} (knownFlags only): ${why}`);
    },
  }),

  defineCase({
    id: 'features.annotations',
    title: "the features' annotations follow config.json's key rules (non-empty string keys, string values)",
    requirements: ['features:annotations.format'],
    misbehaving: 'features-wrong.mjs',
    async check(t) {
      const f = printed(t);
      const a = f.annotations;
      if (a === undefined || a === null) return t.skip("the runtime's features have no annotations");
      if (typeof a !== 'object' || Array.isArray(a)) return t.fail("the features' annotations are not a map", { actual: a });
      for (const [k, v] of Object.entries(a)) {
        t.ok(k !== '', 'no annotation key is the empty string', { actual: k });
        t.ok(typeof v === 'string', `annotation ${k} has a string value`, { actual: v });
        if (k !== '' && !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\./.test(k)) t.note(`${k} is not in reverse domain notation (a SHOULD for annotation keys)`);
      }
      const unsafe = f.potentiallyUnsafeConfigAnnotations;
      for (const p of Array.isArray(unsafe) ? unsafe : []) t.ok(p !== '', 'no potentiallyUnsafeConfigAnnotations entry is the empty string');
    },
  }),
];
