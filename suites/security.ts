// The container must not reach the host, and the runtime must not be turned against
// it: no host fd in the container, a cwd, mount destinations, masked and read-only paths
// that are (or become during create) symlinks out of the rootfs never touch the host,
// hostname and sysctls without their namespace never change the host, ids out of range
// never mean root, and the runtime's own executable is never the container's to write.
//
// Host safety, whatever the runtime under test does: every "outside" a case aims at is a
// directory of the case's own (under its files/), never a real host path; UTS, network
// and IPC settings are tried with the runtime started in throw-away namespaces of those
// kinds (so "the runtime namespace" is not the host's); the one host-wide value a case
// touches (a harmless printk sysctl) is put back at once if a runtime changed it.
import {
  closeSync,
  existsSync,
  mkdirSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
  unlinkSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { defineCase } from '../harness/case/case.js';
import { HarnessError } from '../harness/errors.js';
import { callFailure, type CaseContext } from '../harness/case/context.js';
import { parseProbe, type ProbeFacts } from '../harness/probe/parse.js';
import { repoRoot } from '../harness/paths.js';
import { hostMounts } from './support/host.js';
import { attempt } from './support/refuse.js';

/** The case's rootfs on the host. */
const rootfsOf = (t: CaseContext, bundleDir = t.bundle.dir) => resolve(bundleDir, t.bundle.config.root?.path ?? 'rootfs');

/** The probe's own script, which busybox sh holds open while it runs. */
const isProbeScript = (target: string) => target.endsWith('/conform/probe');

/**
 * The probe shell's fds beyond 0-2 (its script aside), listed by a child `ls` while the
 * shell itself holds nothing else (its `fds` section reads them through a command
 * substitution, whose pipe would show up among them).
 */
const LIST_FDS = 'ls -l /proc/$$/fd';
function extraFds(t: CaseContext, output: string | undefined): [number, string][] {
  if (output === undefined) t.abort('the probe did not list its fds');
  return [...output.matchAll(/ (\d+) -> (.*)$/gm)]
    .map((m): [number, string] => [Number(m[1]), m[2]!])
    .filter(([fd, target]) => fd > 2 && !isProbeScript(target));
}

/**
 * A directory of the case's own on the host, standing for "the host" a symlink in the
 * rootfs points at, with one file in it; and a check that nothing changed there.
 */
function outside(t: CaseContext): { dir: string; untouched: (when: string) => boolean } {
  const dir = t.bundle.builder.hostPath('outside');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'host-file'), 'host\n');
  const untouched = (when: string) => {
    const entries = readdirSync(dir).sort();
    const mounted = hostMounts()
      .filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(`${dir}/`))
      .map((m) => m.mountPoint);
    const content = readFileSync(join(dir, 'host-file'), 'utf8');
    // The host can still write there (nothing made it read-only on the host).
    let writable = true;
    try {
      writeFileSync(join(dir, '.conform-write-check'), '');
      unlinkSync(join(dir, '.conform-write-check'));
    } catch {
      writable = false;
    }
    return t.equal(
      { entries, mounted, content, writable },
      { entries: ['host-file'], mounted: [], content: 'host\n', writable: true },
      `the host directory a symlink in the rootfs points at (${dir}), ${when}`,
    );
  };
  return { dir, untouched };
}

/** A symlink in the rootfs at `path` (as seen inside) pointing at `target`. */
function symlinkInRootfs(t: CaseContext, path: string, target: string, bundleDir?: string): void {
  symlinkSync(target, join(rootfsOf(t, bundleDir), path));
}

/** How many of the race case's four destinations are mount points in the container. */
const RACE_MOUNTS = "grep -cE ' /race/s[1-4] ' /proc/self/mountinfo";

/** Why the escape cases cannot be shown failing here. */
const ESCAPE =
  'the misbehaviour is following a symlink in the rootfs out to the host; neither runc 1.1.5 nor the reference runtime does, and no config.json edit makes them';

type Escape = 'absolute' | 'relative';
/** The symlink target that names the outside directory: its absolute host path, or a relative one climbing out of the rootfs. */
const escapeTarget = (t: CaseContext, dir: string, kind: Escape) => (kind === 'absolute' ? dir : relative(rootfsOf(t), dir));

/** create, then start when create accepted; returns whether the container ran (else it was refused cleanly). */
async function runOrRefused(t: CaseContext, what: string): Promise<boolean> {
  const a = await attempt(t, what, { processProperty: true });
  if (a.by) return false;
  t.note(`the runtime accepted ${what}`);
  return true;
}

/**
 * The shape of every escape case: a symlink `link` in the rootfs to the outside
 * directory (`target` names it), the bundle run (or refused), `inside` given the probe's
 * facts of a container that ran, and the outside checked untouched.
 */
async function escapeCase(
  t: CaseContext,
  link: string,
  target: (outsideDir: string) => string,
  what: string,
  inside?: (facts: ProbeFacts) => void,
): Promise<void> {
  // What happens on the host shows both: the setting's own "in the container" and the root's.
  const out = outside(t.all());
  symlinkInRootfs(t, link, target(out.dir));
  const ran = await runOrRefused(t.all(), what);
  if (ran) {
    inside?.(parseProbe(await t.waitOutput('@@done')));
    await t.waitStatus('stopped');
  }
  out.untouched(ran ? 'after the container ran' : 'after the runtime refused');
}

// --- fds ---------------------------------------------------------------------------

/** Two files of the case's own, opened by conform and handed to the runtime as its fds 3 and 4. */
function hostFds(t: CaseContext): { fds: number[]; paths: string[]; close: () => void } {
  const paths = ['host-fd-3', 'host-fd-4'].map((n) => t.bundle.builder.hostPath(n));
  for (const p of paths) writeFileSync(p, 'secret\n');
  const fds = paths.map((p) => openSync(p, 'r'));
  return { fds, paths, close: () => fds.forEach((fd) => closeSync(fd)) };
}

const fdsCases = [
  defineCase({
    id: 'security.fds.caller-fds-not-inherited',
    title: "fds the runtime's caller has open beyond stdio (3 and 4) do not reach the container process",
    requirements: ['runtime-linux:fds.stdio-only'],
    misbehaving: 'leak-fds.mjs',
    bundle: (b) => b.probe({ only: ['meta'], cmds: { fds: LIST_FDS } }),
    async check(t) {
      const h = hostFds(t);
      try {
        const r = await t.rt.create(t.id, t.bundle.dir, [], { extraFds: h.fds });
        if (!r.ok) t.fail(callFailure(`create ${t.id}`, r));
      } finally {
        h.close();
      }
      await t.state();
      await t.start();
      const extra = extraFds(t, parseProbe(await t.waitOutput('@@done')).cmds.fds?.output);
      t.equal(
        extra.map(([fd, target]) => `${fd} -> ${target}`),
        [],
        "the container process's fds beyond 0-2 (the shell's own script fd aside)",
      );
    },
  }),

  defineCase({
    id: 'security.fds.preserve-fds-only-those',
    title: "with runc's --preserve-fds 1, the container gets the caller's fd 3 and nothing beyond it (not fd 4)",
    requirements: ['runtime-linux:fds.stdio-only', 'runtime-linux:fds.extra'],
    misbehaving: 'leak-fds.mjs',
    bundle: (b) => b.probe({ only: ['meta'], cmds: { fds: LIST_FDS } }),
    async check(t) {
      const h = hostFds(t);
      let r;
      try {
        r = await t.rt.create(t.id, t.bundle.dir, ['--preserve-fds', '1'], { extraFds: h.fds });
      } finally {
        h.close();
      }
      // --preserve-fds is runc's convention, not the spec's: a runtime without it refuses the flag.
      if (!r.ok && !r.timedOut && !r.signal) t.skip(`the runtime does not take runc's --preserve-fds (${callFailure('create', r)})`);
      if (!r.ok) t.abort(callFailure(`create ${t.id}`, r));
      await t.state();
      await t.start();
      const extra = extraFds(t, parseProbe(await t.waitOutput('@@done')).cmds.fds?.output);
      // An fd beyond those asked for, or another one at 3, is a leak; fd 3 itself is the MAY.
      const only = t.req('runtime-linux:fds.stdio-only');
      const three = extra.find(([fd]) => fd === 3)?.[1];
      t.note(three?.endsWith('host-fd-3') ? 'fd 3 reached the container, as asked' : 'fd 3 did not reach the container (the spec does not demand it)');
      only.equal(
        extra.filter(([fd]) => fd !== 3).map(([fd, target]) => `${fd} -> ${target}`),
        [],
        'fds beyond 0-3 in the container process (only one was to be preserved)',
      );
      only.ok(!extra.some(([fd, target]) => fd === 3 && !target.endsWith('host-fd-3')), 'fd 3 in the container is the one the caller preserved, if any', {
        actual: three,
      });
    },
  }),
];

// --- cwd ---------------------------------------------------------------------------

const cwdCases = (['absolute', 'relative'] as const).map((kind) =>
  defineCase({
    id: `security.cwd.symlink-${kind}-out`,
    title: `process.cwd through a symlink in the rootfs to ${kind === 'absolute' ? 'an absolute host path' : 'a relative path climbing out of the rootfs'} stays inside the container: nothing happens in the host directory`,
    requirements: ['config:process.cwd', 'config:root.container-root'],
    unprovable: ESCAPE,
    bundle: (b) => b.probe({ only: ['cwd'], cmds: { mark: 'touch ./conform-cwd-marker && echo marked' } }).cwd('/escape'),
    async check(t) {
      await escapeCase(
        t,
        'escape',
        (dir) => escapeTarget(t, dir, kind),
        'a cwd that is a symlink out of the rootfs',
        (facts) => t.note(`the process started in ${facts.cwd ?? '(unknown)'}${facts.cmds.mark?.output.includes('marked') ? ' and could write there' : ''}`),
      );
    },
  }),
);

// --- mounts, masked and read-only paths --------------------------------------------

const mountCases = [
  ...(['absolute', 'relative'] as const).map((kind) =>
    defineCase({
      id: `security.mounts.destination-symlink-${kind}-out`,
      title: `a mount destination below a symlink in the rootfs to ${kind === 'absolute' ? 'an absolute host path' : 'a relative path climbing out'} lands inside the container: nothing is made or mounted in the host directory`,
      requirements: ['config:mounts.destination.in-container', 'config:root.container-root'],
      unprovable: ESCAPE,
      bundle: (b) =>
        b.probe({ only: ['meta'] }).mount({ destination: '/escape/sub/dir', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=64k'] }),
      check: (t) => escapeCase(t, 'escape', (dir) => escapeTarget(t, dir, kind), 'a mount destination below a symlink out of the rootfs'),
    }),
  ),

  defineCase({
    id: 'security.mounts.masked-symlink-out',
    title: 'a masked path that is a symlink to a host path is masked (or skipped) inside the container: the host file stays as it was',
    requirements: ['config-linux:masked-paths.in-container', 'config:root.container-root'],
    unprovable: ESCAPE,
    bundle: (b) => b.probe({ only: ['meta'], cmds: { read: 'cat /escape-file 2>&1; echo' } }).maskedPaths(['/escape-file']),
    check: (t) =>
      escapeCase(
        t,
        'escape-file',
        (dir) => join(dir, 'host-file'),
        'a masked path that is a symlink out of the rootfs',
        (facts) =>
          t
            .all()
            .ok(!facts.cmds.read?.output.includes('host'), 'the host file is not readable through the masked path inside', { actual: facts.cmds.read?.output }),
      ),
  }),

  defineCase({
    id: 'security.mounts.readonly-symlink-out',
    title: 'a read-only path that is a symlink to a host directory is made read-only (or skipped) inside the container: the host directory stays writable',
    requirements: ['config-linux:readonly-paths.in-container', 'config:root.container-root'],
    unprovable: ESCAPE,
    bundle: (b) => b.probe({ only: ['meta'] }).readonlyPaths(['/escape-dir']),
    check: (t) => escapeCase(t, 'escape-dir', (dir) => dir, 'a read-only path that is a symlink out of the rootfs'),
  }),

  defineCase({
    id: 'security.mounts.destination-race',
    title:
      'a mount destination swapped between a directory and a symlink to a host path while create runs (CVE-2021-30465 class) never lands on the host: tries bounded in number and time',
    requirements: ['config:mounts.destination.in-container', 'config:root.container-root'],
    unprovable:
      'the misbehaviour is a race no config.json edit plays on a runtime that passes: runc 1.1.5 plays it (its baseline lists this case: CVE-2024-45310, directories made through a symlink swapped in after it resolved the path), the reference runtime does not',
    bundle: (b) => {
      // A plain copy: renameat2(RENAME_EXCHANGE) of directories on overlayfs is not a given.
      b.plainRootfs = true;
      b.probe({ only: ['meta'], cmds: { race: RACE_MOUNTS } }).mkdir('/race');
      // Four destinations below it: four windows for the race in every create.
      for (const d of ['s1', 's2', 's3', 's4'])
        b.mount({ destination: `/race/${d}`, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=64k'] });
    },
    async check(t) {
      const out = outside(t.all());
      const root = rootfsOf(t);
      symlinkInRootfs(t, 'race-link', out.dir);
      // It swaps for longer than the loop below may take; it is stopped after it.
      const exchanger = t.background([join(repoRoot, 'dist', 'exchange'), join(root, 'race'), join(root, 'race-link'), '100']);
      // A vulnerable runc 1.1.5 let about one create in fifteen through with one
      // destination: four each and up to 100 tries catch that nearly always, within a
      // bound of time on a slow runtime.
      const TRIES = 100;
      const deadline = Date.now() + 60_000;
      let tries = 0;
      let created = 0;
      // One id while the runtime deletes what it made (a new one when it could not): cleanup
      // then has one container to ask about, not a hundred.
      let id = t.newId();
      try {
        for (; tries < TRIES && Date.now() < deadline; tries++) {
          // Not the runtime's doing: a harness error, never a verdict.
          if (exchanger.exitCode !== null) throw new Error(`the exchanger (dist/exchange) stopped early: exit ${exchanger.exitCode}`);
          const r = await t.rt.create(id, t.bundle.dir);
          if (r.ok) created++;
          const clean = out.untouched(`after create ${tries + 1} of ${TRIES}`);
          // The race is create's: the exchanger, which spins a core, waits out the delete,
          // and that core goes to the run's other cases meanwhile.
          exchanger.kill('SIGSTOP');
          const deleted = await t.rt.delete(id, true);
          exchanger.kill('SIGCONT');
          if (!deleted.ok && r.ok) id = t.newId();
          if (!clean) {
            tries++;
            break;
          }
        }
      } finally {
        await t.stopBackground();
      }
      t.note(`${tries} create(s) raced, ${created} succeeded`);
      // Every try must at least have run: a race that never happened proves nothing.
      if (tries === 0) throw new HarnessError('no create was tried within the time bound: the race never happened');
      // The control: with /race a directory again, the container must have the four
      // mounts, or the creates above never mounted anything and the race proved nothing.
      if (lstatSync(join(root, 'race')).isSymbolicLink()) {
        unlinkSync(join(root, 'race'));
        renameSync(join(root, 'race-link'), join(root, 'race'));
      }
      if (await runOrRefused(t.all(), 'four tmpfs mounts below /race (no race)')) {
        const facts = parseProbe(await t.waitOutput('@@done'));
        t.all().equal(facts.cmds.race?.output.trim(), '4', 'the control run: tmpfs mounts at /race/s1../race/s4 in the container (mountinfo lines)');
        await t.waitStatus('stopped');
      }
    },
  }),
];

// --- hostname, domainname, sysctl without their namespace --------------------------

/**
 * Makes every runtime call of the case run in a namespace of `kind` of its own (a holder
 * process's, killed at cleanup), so that the runtime namespace is never the host's.
 * Returns a reader of a /proc/sys file as that namespace sees it.
 */
async function throwawayRuntimeNamespace(t: CaseContext, kind: 'uts' | 'network' | 'ipc'): Promise<(file: string) => string> {
  const holder = await t.holdNamespaces([kind]);
  const flag = `--${kind === 'network' ? 'net' : kind}=${t.nsPath(holder, kind)}`;
  t.rt.wrapAll = ['nsenter', flag, '--'];
  return (file) => execFileSync('nsenter', [flag, '--', 'cat', file], { encoding: 'utf8' }).trim();
}

const HOSTNAME = '/proc/sys/kernel/hostname';
const DOMAINNAME = '/proc/sys/kernel/domainname';

/** The host's value of a /proc/sys file; if `after` differs from `before`, puts it back and fails. */
function hostKept(t: CaseContext, file: string, before: string, when: string): boolean {
  const now = readFileSync(file, 'utf8').trim();
  if (now !== before) {
    writeFileSync(file, before);
    t.note(`conform put ${file} back to ${JSON.stringify(before)}: the runtime had changed it to ${JSON.stringify(now)}`);
  }
  return t.equal(now, before, `the host's ${file} ${when}`);
}

interface NamespaceSetting {
  id: string;
  title: string;
  requirements: string[];
  /** The namespace the config leaves out. */
  without: 'uts' | 'network' | 'ipc';
  /** The /proc/sys file the setting changes, and the value it asks for. */
  file: string;
  value: (current: string) => string;
  edit: (b: import('../harness/case/bundle.js').BundleBuilder, value: string) => void;
}

const SETTINGS: NamespaceSetting[] = [
  {
    id: 'security.uts.hostname-without-namespace',
    title:
      "hostname without a UTS namespace of the container: the host's hostname never moves (the runtime may refuse it, or set it in the runtime namespace the container shares)",
    requirements: ['config:hostname.container-namespace'],
    without: 'uts',
    file: HOSTNAME,
    value: () => 'conform-sec-host',
    edit: (b, v) => b.hostname(v),
  },
  {
    id: 'security.uts.domainname-without-namespace',
    title: "domainname without a UTS namespace of the container: the host's domain name never moves",
    requirements: ['config:domainname.container-namespace'],
    without: 'uts',
    file: DOMAINNAME,
    value: () => 'conform-sec.example',
    edit: (b, v) => b.domainname(v).ociVersion('1.1.0'),
  },
  {
    id: 'security.sysctl.net-without-netns',
    title: "a net.* sysctl without a network namespace of the container: the host's value never moves",
    requirements: ['config-linux:sysctl.for-container'],
    without: 'network',
    file: '/proc/sys/net/ipv4/ip_default_ttl',
    value: (cur) => (cur === '77' ? '78' : '77'),
    edit: (b, v) => b.sysctl('net.ipv4.ip_default_ttl', v),
  },
  {
    id: 'security.sysctl.ipc-without-ipcns',
    title: "an IPC sysctl (kernel.msgmax) without an IPC namespace of the container: the host's value never moves",
    requirements: ['config-linux:sysctl.for-container'],
    without: 'ipc',
    file: '/proc/sys/kernel/msgmax',
    value: (cur) => (cur === '12345' ? '12346' : '12345'),
    edit: (b, v) => b.sysctl('kernel.msgmax', v),
  },
];

const namespaceCases = SETTINGS.map((s) =>
  defineCase({
    id: s.id,
    title: s.title,
    requirements: s.requirements,
    unprovable:
      'the misbehaviour is setting the value in the runtime namespace (here a throwaway one); runc and the reference runtime refuse such a config, and no config.json edit makes them set it there',
    needs: [`ns:${s.without}`],
    bundle: (b) => {
      s.edit(b.probe({ only: ['meta'] }).withoutNamespace(s.without), s.value(readFileSync(s.file, 'utf8').trim()));
    },
    async check(t) {
      const before = readFileSync(s.file, 'utf8').trim();
      const asked = s.value(before);
      const inRuntimeNs = await throwawayRuntimeNamespace(t, s.without);
      let created;
      try {
        created = await t.rt.create(t.id, t.bundle.dir);
      } finally {
        hostKept(t, s.file, before, 'after create');
      }
      if (!created.ok) {
        t.expectError(created, `create with ${s.id.split('.').pop()}`);
        t.note('the runtime refused the setting without its namespace');
        return;
      }
      await t.state();
      // config.md / config-linux.md allow the runtime namespace here: the container shares it.
      if (inRuntimeNs(s.file) === asked)
        t.note(`the runtime set ${s.file} to ${asked} in its own namespace, which the container shares (allowed; runc refuses instead)`);
      await t.start();
      await t.waitOutput('@@done');
      hostKept(t, s.file, before, 'after the container ran');
    },
  }),
);

/** A sysctl no namespace holds: the runtime cannot apply it for the container alone. */
const PRINTK_BURST = '/proc/sys/kernel/printk_ratelimit_burst';
const asked = (current: string) => String(Number(current) + 1);

const hostWideCase = defineCase({
  id: 'security.sysctl.host-wide-refused',
  unprovable:
    'the misbehaviour is writing a host-wide sysctl for a container; runc and the reference runtime refuse it, and no config.json edit makes them write it',
  title: 'a sysctl no namespace holds (kernel.printk_ratelimit_burst) cannot apply to the container alone: create fails and the host value never moves',
  requirements: ['config-linux:sysctl.for-container', 'runtime:create.apply-fail-error'],
  bundle: (b) =>
    b
      .probe({ only: ['meta'], cmds: { burst: `cat ${PRINTK_BURST}` } })
      .sysctl('kernel.printk_ratelimit_burst', asked(readFileSync(PRINTK_BURST, 'utf8').trim())),
  async check(t) {
    const before = readFileSync(PRINTK_BURST, 'utf8').trim();
    let r;
    let kept: boolean;
    const alone = t.req('config-linux:sysctl.for-container');
    try {
      r = await t.rt.create(t.id, t.bundle.dir);
    } finally {
      kept = hostKept(alone, PRINTK_BURST, before, 'after create');
    }
    if (r.ok && kept) {
      await t.state();
      await t.start();
      const facts = parseProbe(await t.waitOutput('@@done'));
      if (!hostKept(alone, PRINTK_BURST, before, 'after the container ran')) return;
      // A kernel of the container's own (gVisor's) can hold it for the container alone.
      const inside = facts.cmds.burst?.output.trim();
      alone.ok(
        inside === asked(before),
        `create accepted kernel.printk_ratelimit_burst=${asked(before)}, which it can apply neither for the container alone nor (without changing the host) at all; the container sees ${inside}`,
      );
    } else if (!r.ok) t.req('runtime:create.apply-fail-error').expectError(r, 'create with a host-wide sysctl');
  },
});

// --- ids out of range --------------------------------------------------------------

const ID_MAX = 4294967295;

const idCases = (['uid', 'gid'] as const).map((which) =>
  defineCase({
    id: `security.user.${which}-out-of-range`,
    title: `${which} ${ID_MAX} ((${which}_t)-1, which setres${which} takes as "no change", so no process can have it) is refused: never root, never another ${which}`,
    requirements: [which === 'uid' ? 'config:process.user.uid' : 'config:process.user.gid', 'runtime:create.apply-fail-error'],
    exercises: [`process.user.${which}`],
    // No process can have it, so conform validate calls the config invalid (process.user.id).
    invalid: true,
    bundle: (b) => b.probe({ only: ['status'] }).user(which === 'uid' ? { uid: ID_MAX, gid: 0 } : { uid: 0, gid: ID_MAX }),
    async check(t) {
      const ran = await runOrRefused(t.req('runtime:create.apply-fail-error'), `${which} ${ID_MAX}`);
      if (!ran) return;
      const facts = parseProbe(await t.waitOutput('@@done'));
      const ids = which === 'uid' ? facts.status?.uid : facts.status?.gid;
      if (!ids) t.abort(`the probe could not read its ${which}s`);
      t.req(`config:process.user.${which}`).equal(ids, [ID_MAX, ID_MAX, ID_MAX, ID_MAX], `the process's ${which}s (real, effective, saved, filesystem)`);
    },
  }),
);

// --- the runtime's executable (CVE-2019-5736) -----------------------------------------

/** dev:ino of a file, by path (following links). */
const devIno = (path: string) => {
  const s = statSync(path);
  return `${s.dev}:${s.ino}`;
};

const exeCase = defineCase({
  id: 'security.exe.runtime-binary-not-writable',
  title:
    "a container process in the pid namespace of a created container cannot get the runtime's executable on the host (/proc/1/exe), let alone open it for writing once the runtime has exec-ed (CVE-2019-5736)",
  requirements: ['config:root.container-root'],
  unprovable:
    'the misbehaviour is a runtime whose executable the container can reach (CVE-2019-5736); runc since 1.0.0-rc6 and the reference runtime close that, and no config.json edit reopens it',
  needs: ['ns:pid'],
  bundle: (b) => b.probe({ only: ['meta'], hold: true }),
  async check(t) {
    // A: created, not started: its pid 1 is still the runtime's own code.
    const a = await t.create();
    if (typeof a.pid !== 'number' || a.pid <= 0) t.fail('state of the created container has no pid', { actual: a.pid });
    const exeLink = (() => {
      try {
        return readlinkSync(`/proc/${a.pid}/exe`);
      } catch (e) {
        return t.skip(`the host cannot read /proc/${a.pid}/exe of the created container (${(e as NodeJS.ErrnoException).code}): no runtime process to look at`);
      }
    })();
    // The file the runtime's process runs, if it is one on the host (not a sealed memfd copy).
    const hostFile =
      !exeLink.endsWith(' (deleted)') && existsSync(exeLink) && lstatSync(exeLink).isFile() && devIno(exeLink) === devIno(`/proc/${a.pid}/exe`)
        ? exeLink
        : undefined;
    t.note(`the created container's pid 1 runs ${exeLink}${hostFile ? ' (a file on the host)' : ''}`);
    // B: in A's pid namespace; holds /proc/1/exe open, waits until A's pid 1 has exec-ed
    // A's program (the probe), then tries to open what it holds for writing.
    const script = [
      // A failed `exec 3<` would end the shell: try it in a subshell first.
      'if (exec 3</proc/1/exe) 2>/dev/null && exec 3</proc/1/exe; then echo "opened $(stat -L -c %d:%i /proc/self/fd/3)"; else echo "open-failed $( (exec 3</proc/1/exe) 2>&1 )"; fi',
      'echo @@opened',
      'i=0; while ! grep -q conform/probe /proc/1/cmdline 2>/dev/null && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done',
      // O_WRONLY|O_APPEND without a write: nothing changes even where it succeeds.
      'if (exec 4>>/proc/self/fd/3) 2>/dev/null; then echo write-open-succeeded; else echo "write-open-failed $( (exec 4>>/proc/self/fd/3) 2>&1 )"; fi',
    ].join('\n');
    const bId = `b-${t.id}`;
    const bBundle = await t.newBundle((b) => b.probe({ only: ['meta'], cmds: { exe: script } }).namespace('pid', `/proc/${a.pid}/ns/pid`));
    const created = await t.rt.create(bId, bBundle.dir);
    if (!created.ok) t.skip(`the runtime could not create a second container in the created one's pid namespace (${callFailure('create', created)})`);
    await t.state(bId);
    await t.start(bId);
    const opened = /^opened (\d+:\d+)$/m.exec(await t.waitOutput('@@opened', { id: bId }))?.[1];
    await t.start(); // A's runtime process execs A's program: the runtime's executable is no longer running there
    await t.waitOutput('@@ready');
    const out = (await t.waitOutput('@@done', { id: bId, timeoutMs: 60_000 })).split('\n');
    if (!opened) {
      t.note(`the container could not open /proc/1/exe of the runtime-owned process: ${out.find((l) => l.startsWith('open-failed')) ?? '(no word)'}`);
      return;
    }
    t.ok(!(hostFile && opened === devIno(hostFile)), `the container got a handle on the host file ${hostFile} (the runtime's executable) through /proc/1/exe`);
    const write = out.find((l) => l.startsWith('write-open-'));
    t.ok(write !== 'write-open-succeeded', "the container opened the runtime's executable (through /proc/1/exe) for writing", { actual: write });
    if (write) t.note(write);
  },
});

export default [...fdsCases, ...cwdCases, ...mountCases, ...namespaceCases, hostWideCase, ...idCases, exeCase];
