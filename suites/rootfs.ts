// config.md "Root", config-linux.md "Rootfs Mount Propagation", "Default Filesystems"
// and "Default Devices", runtime-linux.md "Dev symbolic links": the container's root
// filesystem and what the runtime must put in it whatever the config says.
import { join } from 'node:path';
import type { BundleBuilder } from '../harness/case/bundle.js';
import { DEFAULT_CAPS, defaultConfig } from '../harness/case/bundle.js';
import { defineCase } from '../harness/case/case.js';
import { ptyNumberOf } from '../harness/process/console-receiver.js';
import type { CaseContext } from '../harness/case/context.js';
import { mountAt, parseMountinfo } from '../harness/probe/mountinfo.js';
import { errnosIn } from '../linux/errno.js';
import { hostMounts, hostPeerGroups, HostMounts, mountinfoOf, runningOnHost } from './support/host.js';
import { probeOnTerminal } from './support/terminal.js';
import { probeOrRefuse } from './support/refuse.js';
import { wrongDevice } from './support/tamper.js';

const WITH_SYS_ADMIN = [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'];
/** For cases that mount inside the container. */
const sysAdmin = (b: BundleBuilder) => b.capabilities({ bounding: WITH_SYS_ADMIN, effective: WITH_SYS_ADMIN, permitted: WITH_SYS_ADMIN });

const out = (facts: { cmds: Record<string, { output: string; rc: number }> }, name: string) =>
  facts.cmds[name] ?? { output: '(the probe did not run it)', rc: -1 };

/** A write that must fail with EROFS. */
function expectRofs(t: CaseContext, r: { output: string; rc: number }, what: string): void {
  t.ok(r.rc !== 0, `${what} fails`, { expected: 'a non-zero exit', actual: `rc ${r.rc}: ${r.output}` });
  t.ok(errnosIn(r.output).includes('EROFS'), `${what} fails with EROFS`, { expected: 'EROFS (Read-only file system)', actual: r.output });
}

const WRITES = { create: 'touch /conform-new-file', append: 'echo more >> /etc/passwd', mkdir: 'mkdir /conform-new-dir' };

function writableCase(id: string, title: string, requirement: string, edit: (b: BundleBuilder) => void) {
  return defineCase({
    id: `rootfs.readonly.${id}`,
    title,
    requirements: [requirement],
    // No `exercises`: writable is also what a runtime that ignores root.readonly gives.
    // A runtime that makes every root read-only fails here.
    tamper: { 'root.readonly': true },
    bundle: (b) => {
      b.probe({ only: ['meta'], cmds: WRITES });
      edit(b);
    },
    async check(t) {
      const facts = await t.probe();
      for (const name of Object.keys(WRITES)) t.equal(out(facts, name).rc, 0, `${name} in the root filesystem (${out(facts, name).output || 'no output'})`);
    },
  });
}

/** Root path cases: the container sees the marker only the chosen directory has. */
function rootPathCase(id: string, title: string, path: (b: BundleBuilder) => string) {
  return defineCase({
    id: `rootfs.path.${id}`,
    title,
    requirements: ['config:root.path.relative', 'config:root.path.exists'],
    exercises: ['root.path'],
    bundle: (b) => {
      const p = path(b);
      b.set('root.path', p);
      b.file('/conform/marker', `${p}\n`);
      b.probe({ only: ['meta'], cmds: { marker: 'cat /conform/marker' } });
    },
    async check(t) {
      const facts = await t.probe();
      t.req('config:root.path.relative').equal(
        out(facts, 'marker').output,
        t.bundle.config.root?.path,
        'the marker file of the root.path directory, read inside',
      );
    },
  });
}

// --- propagation ---------------------------------------------------------------

const HOST_SIDE = '/mnt/conform-from-host';
const INNER = '/mnt/conform-from-inside';

/**
 * The bundle's rootfs is made a shared mount on the host; the container mounts at
 * INNER, then the host mounts at HOST_SIDE. Returns where each mount was seen.
 */
async function propagationRun(t: CaseContext): Promise<{ inside: boolean; leaked: boolean; rootOptional: string[] }> {
  const rootfs = join(t.bundle.dir, 'rootfs');
  const host = new HostMounts();
  try {
    host.sharedBind(rootfs);
    const { facts, pid } = await runningOnHost(t, { refusable: `rootfsPropagation ${t.bundle.config.linux?.rootfsPropagation}` });
    t.equal(out(facts, 'inner').rc, 0, `a tmpfs mount at ${INNER} inside the container (${out(facts, 'inner').output})`);
    host.mount(['-t', 'tmpfs', 'conform-host'], join(rootfs, HOST_SIDE));
    const mounts = mountinfoOf(pid);
    const root = mountAt(mounts, '/');
    return {
      inside: mountAt(mounts, HOST_SIDE) !== undefined,
      leaked: mountAt(hostMounts(), join(rootfs, INNER)) !== undefined,
      rootOptional: root?.optional ?? [],
    };
  } finally {
    host.take();
  }
}

const propagationBundle = (value: 'slave' | 'private') => (b: BundleBuilder) => {
  // propagationRun binds the rootfs directory itself as a shared mount on the host.
  b.plainRootfs = true;
  sysAdmin(b).rootfsPropagation(value);
  b.mkdir(HOST_SIDE).mkdir(INNER);
  b.probe({ hold: true, only: ['meta'], cmds: { inner: `mount -t tmpfs conform-inner ${INNER}` } });
};

// --- default devices ---------------------------------------------------------------

interface DefaultDevice {
  name: string;
  major: number;
  minor: number;
  cmds: Record<string, string>;
  check: (t: CaseContext, cmd: (n: string) => { output: string; rc: number }) => void;
}

const zeros = (n: number) => Array<string>(n).fill('00').join(' ');
const hexWords = (s: string) => s.split(/\s+/).filter(Boolean).join(' ');

const DEFAULT_DEVICES: DefaultDevice[] = [
  {
    name: 'null',
    major: 1,
    minor: 3,
    cmds: { use: 'echo conform > /dev/null && wc -c < /dev/null' },
    check: (t, cmd) => t.equal([cmd('use').rc, cmd('use').output.trim()], [0, '0'], 'a write to /dev/null succeeds and a read gives 0 bytes (rc, bytes)'),
  },
  {
    name: 'zero',
    major: 1,
    minor: 5,
    cmds: { read: 'head -c 8 /dev/zero | od -An -tx1', write: 'echo x > /dev/zero' },
    check: (t, cmd) => {
      t.equal(hexWords(cmd('read').output), zeros(8), 'the first 8 bytes read from /dev/zero');
      t.equal(cmd('write').rc, 0, `a write to /dev/zero succeeds (${cmd('write').output})`);
    },
  },
  {
    name: 'full',
    major: 1,
    minor: 7,
    cmds: { write: 'echo x > /dev/full', read: 'head -c 4 /dev/full | od -An -tx1' },
    check: (t, cmd) => {
      t.ok(cmd('write').rc !== 0 && errnosIn(cmd('write').output).includes('ENOSPC'), 'a write to /dev/full fails with ENOSPC', {
        expected: 'ENOSPC (No space left on device)',
        actual: `rc ${cmd('write').rc}: ${cmd('write').output}`,
      });
      t.equal(hexWords(cmd('read').output), zeros(4), 'the first 4 bytes read from /dev/full');
    },
  },
  ...(['random', 'urandom'] as const).map((name) => ({
    name,
    major: 1,
    minor: name === 'random' ? 8 : 9,
    cmds: { a: `head -c 16 /dev/${name} | od -An -tx1`, b: `head -c 16 /dev/${name} | od -An -tx1` },
    check: (t: CaseContext, cmd: (n: string) => { output: string; rc: number }) => {
      const a = hexWords(cmd('a').output);
      t.equal(a.split(' ').filter((w) => /^[0-9a-f]{2}$/.test(w)).length, 16, `bytes in a 16-byte read from /dev/${name} (${a})`);
      t.ok(a !== hexWords(cmd('b').output), `two reads of /dev/${name} differ`, { actual: [a, hexWords(cmd('b').output)] });
    },
  })),
  {
    name: 'tty',
    major: 5,
    minor: 0,
    // Field 7 of /proc/PID/stat is the controlling terminal (0: none).
    cmds: { ctty: "cut -d' ' -f7 /proc/$$/stat", open: 'echo x > /dev/tty' },
    check: (t, cmd) => {
      if (cmd('ctty').output.trim() !== '0') {
        t.note(`the process has a controlling terminal (tty_nr ${cmd('ctty').output.trim()}): /dev/tty's ENXIO check does not apply`);
        return;
      }
      // Without a controlling terminal the real /dev/tty refuses to open (Linux: ENXIO); a plain file would not.
      const open = cmd('open');
      const errnos = errnosIn(open.output);
      t.ok(open.rc !== 0, '/dev/tty, without a controlling terminal, fails to open', {
        expected: 'an error (Linux: ENXIO)',
        actual: `rc ${open.rc}: ${open.output}`,
      });
      // Denied access (the device cgroup, say) is a /dev/tty the container does not have.
      t.ok(!errnos.includes('EPERM') && !errnos.includes('EACCES'), '/dev/tty is not denied to the container (EPERM or EACCES)', { actual: open.output });
      if (open.rc !== 0 && !errnos.some((e) => ['ENXIO', 'EPERM', 'EACCES'].includes(e)))
        t.note(`/dev/tty failed to open with ${errnos.join(', ') || open.output}, not ENXIO`);
    },
  },
];

function defaultDeviceCase(d: DefaultDevice) {
  const path = `/dev/${d.name}`;
  return defineCase({
    id: `rootfs.default-devices.${d.name}`,
    title: `${path} is supplied: a character device ${d.major}:${d.minor} that behaves as one`,
    requirements: [`config-linux:default-devices.${d.name}`],
    // A runtime that supplies another device there (/dev/null's numbers, or /dev/zero's for /dev/null).
    tamper: d.name === 'null' ? wrongDevice(path, 1, 5) : wrongDevice(path, 1, 3),
    bundle: (b) => b.probe({ only: ['meta', 'dev'], cmds: d.cmds }),
    async check(t) {
      const facts = await t.probe();
      const e = facts.dev?.get(path);
      if (!t.ok(e !== undefined, `${path} exists`)) return;
      t.equal([e!.type, e!.major, e!.minor], ['c', d.major, d.minor], `${path}: type, major, minor`);
      d.check(t, (n) => out(facts, n));
    },
  });
}

// --- dev symlinks ---------------------------------------------------------------------

const DEV_LINKS = [
  { name: 'fd', target: '/proc/self/fd' },
  { name: 'stdin', target: '/proc/self/fd/0' },
  { name: 'stdout', target: '/proc/self/fd/1' },
  { name: 'stderr', target: '/proc/self/fd/2' },
] as const;

/** Uses of the links (>> not >: the stdout file must not be truncated). */
const USE_LINK: Record<string, string> = { fd: 'ls /dev/fd/', stdout: 'echo via-dev-stdout >> /dev/stdout', stderr: 'echo via-dev-stderr >> /dev/stderr' };

/** What the console case reports from inside: type|major:minor (hex) of /dev/console and of stdin. */
const CONSOLE_CMDS = {
  console: "stat -L -c '%F|%t:%T' /dev/console",
  stdin: "stat -L -c '%F|%t:%T' /proc/$$/fd/0",
  write: 'echo via-dev-console > /dev/console',
};

export default [
  defineCase({
    id: 'rootfs.readonly.true',
    title: 'root.readonly true: creating, appending to and making files in / fail with EROFS',
    requirements: ['config:root.readonly'],
    exercises: ['root.readonly'],
    bundle: (b) => b.readonlyRoot(true).probe({ only: ['mountinfo'], cmds: WRITES }),
    async check(t) {
      const facts = await t.probe();
      for (const [name, code] of Object.entries(WRITES)) expectRofs(t, out(facts, name), `${name} (${code})`);
      // EROFS is what "read-only" means to the process; how the runtime got there (a ro
      // bind, a ro superblock, something else) is its own business.
      const root = mountAt(facts.mounts ?? [], '/');
      if (!root?.options.includes('ro') && !root?.superOptions.includes('ro'))
        t.note(
          `the root mount is not marked ro in mountinfo (${root ? `${root.options.join(',')} / ${root.superOptions.join(',')}` : 'no root mount listed'})`,
        );
    },
  }),
  writableCase('false', 'root.readonly false: files can be created, appended to and made in /', 'config:root.readonly', (b) => b.readonlyRoot(false)),
  writableCase('default', 'root.readonly absent: the root filesystem is writable (the default is false)', 'config:root.readonly.default', (b) =>
    b.unset('root.readonly'),
  ),

  rootPathCase('relative', 'a relative root.path (alt-root) is taken relative to the bundle, not the caller', () => 'alt-root'),
  rootPathCase('absolute', 'an absolute root.path outside the bundle is used as it is', (b) => b.hostPath('abs-root')),

  defineCase({
    id: 'rootfs.propagation.slave',
    title: 'rootfsPropagation slave: a host mount under the (shared) rootfs appears inside; a mount inside does not reach the host',
    requirements: ['config-linux:rootfs-propagation.slave'],
    // No `exercises`: runc's default, when rootfsPropagation is absent, is rslave, which
    // this check cannot tell from slave. A runtime that makes the rootfs private fails here.
    tamper: { 'linux.rootfsPropagation': 'private' },
    bundle: propagationBundle('slave'),
    async check(t) {
      const r = await propagationRun(t);
      t.ok(r.inside, `the host's mount at rootfs${HOST_SIDE} is visible inside the container`);
      t.ok(!r.leaked, `the container's mount at ${INNER} stays out of the host`);
      t.ok(
        r.rootOptional.some((o) => o.startsWith('master:')),
        "the container's root mount is a slave (master:N in mountinfo)",
        { actual: r.rootOptional },
      );
    },
  }),

  defineCase({
    id: 'rootfs.propagation.private',
    title: 'rootfsPropagation private: no mount event crosses between a (shared) host rootfs and the container',
    requirements: ['config-linux:rootfs-propagation.private'],
    exercises: ['linux.rootfsPropagation'],
    bundle: propagationBundle('private'),
    async check(t) {
      const r = await propagationRun(t);
      t.ok(!r.inside, `the host's mount at rootfs${HOST_SIDE} stays out of the container`);
      t.ok(!r.leaked, `the container's mount at ${INNER} stays out of the host`);
      t.ok(
        !r.rootOptional.some((o) => o.startsWith('shared:') || o.startsWith('master:')),
        "the container's root mount is in no peer group and has no master",
        { actual: r.rootOptional },
      );
    },
  }),

  defineCase({
    id: 'rootfs.propagation.shared',
    title: 'rootfsPropagation shared: the root is in a new peer group, and a bind of part of it propagates back',
    requirements: ['config-linux:rootfs-propagation.shared'],
    exercises: ['linux.rootfsPropagation'],
    bundle: (b) => {
      sysAdmin(b).rootfsPropagation('shared');
      b.mkdir('/mnt/conform-a/sub').mkdir('/mnt/conform-b');
      b.probe({
        only: ['mountinfo'],
        cmds: {
          // A bind of a shared mount joins its peer group: a mount under the bind shows under the original too.
          peer: 'mount --bind /mnt/conform-a /mnt/conform-b && mount -t tmpfs conform-peer /mnt/conform-b/sub && grep -c " /mnt/conform-a/sub " /proc/self/mountinfo',
        },
      });
    },
    async check(t) {
      const facts = await probeOrRefuse(t, 'rootfsPropagation shared');
      const root = mountAt(facts.mounts ?? [], '/');
      const group = root?.optional.find((o) => o.startsWith('shared:'))?.slice('shared:'.length);
      if (t.ok(group !== undefined, "the container's root mount is in a peer group (shared:N in mountinfo)", { actual: root?.optional })) {
        t.ok(!hostPeerGroups().has(group!), `the peer group ${group} is new (no mount of the runtime's namespace is in it)`);
      }
      t.equal(out(facts, 'peer').output.trim(), '1', 'mounts at /mnt/conform-a/sub after mounting under a bind of /mnt/conform-a');
    },
  }),

  defineCase({
    id: 'rootfs.propagation.unbindable',
    title: 'rootfsPropagation unbindable: the root cannot be bind-mounted inside the container',
    requirements: ['config-linux:rootfs-propagation.unbindable'],
    exercises: ['linux.rootfsPropagation'],
    bundle: (b) => {
      sysAdmin(b).rootfsPropagation('unbindable');
      b.mkdir('/mnt/conform-bind').mkdir('/mnt/conform-ctl');
      b.probe({
        only: ['mountinfo'],
        cmds: {
          // The control: bind mounts work in this container, so a failure below is the root's doing.
          control: 'mount -t tmpfs conform-ctl /mnt/conform-ctl && mount --bind /mnt/conform-ctl /mnt/conform-bind && umount /mnt/conform-bind',
          bind: 'mount --bind / /mnt/conform-bind',
          sub: 'mount --bind /etc /mnt/conform-bind',
        },
      });
    },
    async check(t) {
      const facts = await probeOrRefuse(t, 'rootfsPropagation unbindable');
      const root = mountAt(facts.mounts ?? [], '/');
      t.ok(root?.optional.includes('unbindable') ?? false, "the container's root mount is unbindable in mountinfo", { actual: root?.optional });
      t.ok(!root?.optional.some((o) => o.startsWith('shared:') || o.startsWith('master:')), 'and private (no peer group, no master)', {
        actual: root?.optional,
      });
      if (
        !t.ok(out(facts, 'control').rc === 0, 'a bind mount of a tmpfs mounted inside works (the control)', {
          actual: `rc ${out(facts, 'control').rc}: ${out(facts, 'control').output}`,
        })
      )
        return;
      for (const name of ['bind', 'sub']) {
        const r = out(facts, name);
        const what = `a bind mount of ${name === 'bind' ? '/' : 'a directory of /'}`;
        t.ok(r.rc !== 0, `${what} fails`, { expected: 'an error (Linux: EINVAL)', actual: `rc ${r.rc}: ${r.output}` });
        if (r.rc !== 0 && !errnosIn(r.output).includes('EINVAL'))
          t.note(`${what} failed with ${errnosIn(r.output).join(', ') || r.output}, not Linux's EINVAL`);
      }
    },
  }),

  ...(
    [
      ['proc', '/proc', 'proc', 0],
      ['sys', '/sys', 'sysfs', 5],
      ['dev-pts', '/dev/pts', 'devpts', 2],
      ['dev-shm', '/dev/shm', 'tmpfs', 3],
    ] as const
  ).map(([name, path, fsType, index]) =>
    defineCase({
      id: `rootfs.default-fs.${name}`,
      title: `${path} is a ${fsType} mount${name === 'dev-shm' ? ' the process can write to' : ''}`,
      // The mount is listed in config.json (the defaults' mounts[index]): a runtime that
      // leaves it out fails the mounts MUST, whatever the SHOULD of default filesystems.
      requirements: [`config-linux:default-filesystems.${name}`, 'config:mounts.type'],
      exercises: [`mounts[${index}]`],
      bundle: (b) =>
        b.probe({
          only: ['meta'],
          cmds: {
            mounts: 'cat /proc/self/mountinfo',
            fstype: `stat -f -c %T ${path}`,
            ...(name === 'dev-shm' ? { write: 'echo conform > /dev/shm/conform && cat /dev/shm/conform' } : {}),
          },
        }),
      async check(t) {
        // Listed in mounts: the mount is config.json's to make (MUST) and the default filesystem (SHOULD).
        const made = t.req(`config-linux:default-filesystems.${name}`, 'config:mounts.type');
        const facts = await t.probe();
        // Read through stat -f as well: without /proc there is no mountinfo to read.
        made.equal(out(facts, 'fstype').output.trim(), fsType, `the filesystem type at ${path} (stat -f)`);
        if (name !== 'proc') made.equal(mountAt(parseMountinfo(out(facts, 'mounts').output), path)?.fsType, fsType, `the mount at ${path} in mountinfo`);
        if (name === 'dev-shm') made.equal(out(facts, 'write').output.trim(), 'conform', 'a file written to /dev/shm and read back');
      },
    }),
  ),

  defineCase({
    id: 'rootfs.default-fs.unlisted',
    title: 'with no mounts for /sys, /dev/pts and /dev/shm in config.json, does the runtime supply them?',
    requirements: ['config-linux:default-filesystems.sys', 'config-linux:default-filesystems.dev-pts', 'config-linux:default-filesystems.dev-shm'],
    disputed:
      'config-linux.md says these filesystems SHOULD be available in each container, but not whether the runtime adds them when config.json does not list them; runc and crun mount only what mounts lists',
    bundle: (b) => {
      // /proc stays: runc cannot start a container without it.
      for (const d of ['/sys', '/dev/pts', '/dev/shm']) b.removeMount(d);
      b.maskedPaths(b.config.linux?.maskedPaths?.filter((p) => !p.startsWith('/sys/')) ?? []);
      b.probe({ only: ['mountinfo'] });
    },
    async check(t) {
      const facts = await t.probe();
      const want = { sys: ['/sys', 'sysfs'], 'dev-pts': ['/dev/pts', 'devpts'], 'dev-shm': ['/dev/shm', 'tmpfs'] } as const;
      const got = Object.fromEntries(Object.values(want).map(([p]) => [p, mountAt(facts.mounts ?? [], p)?.fsType ?? '(no mount)']));
      t.note(`filesystems without mounts for them in config.json: ${JSON.stringify(got)}`);
      for (const [name, [path, fsType]] of Object.entries(want))
        t.req(`config-linux:default-filesystems.${name}`).equal(got[path], fsType, `filesystem type at ${path}`);
    },
  }),

  ...DEFAULT_DEVICES.map(defaultDeviceCase),

  defineCase({
    id: 'rootfs.default-devices.ptmx',
    title: "/dev/ptmx is the container's /dev/pts/ptmx (bind or symlink), and opening it makes a pty there",
    requirements: ['config-linux:default-devices.ptmx'],
    // A runtime that puts another node there (runc makes its own /dev/ptmx over a device entry, not under a mount).
    tamper: { [`mounts[${defaultConfig().mounts!.length}]`]: { destination: '/dev/ptmx', type: 'bind', source: '/dev/null', options: ['bind'] } },
    bundle: (b) =>
      b.probe({
        only: ['dev'],
        cmds: {
          same: 'stat -L -c "%D %i %t:%T" /dev/ptmx /dev/pts/ptmx',
          open: 'exec 3<>/dev/ptmx && ls /dev/pts',
        },
      }),
    async check(t) {
      const facts = await t.probe();
      const e = facts.dev?.get('/dev/ptmx');
      if (!t.ok(e !== undefined, '/dev/ptmx exists')) return;
      if (e!.type === 'l') t.ok(['pts/ptmx', '/dev/pts/ptmx'].includes(e!.target ?? ''), '/dev/ptmx is a symlink to pts/ptmx', { actual: e!.target });
      else t.note(`/dev/ptmx is a ${e!.type} node ${e!.major}:${e!.minor}, not a symlink`);
      const [ptmx, pts] = out(facts, 'same').output.trim().split('\n');
      t.ok(ptmx !== undefined && ptmx === pts, '/dev/ptmx resolves to the same file as /dev/pts/ptmx (device, inode, numbers)', {
        expected: pts,
        actual: ptmx,
      });
      t.ok(
        out(facts, 'open')
          .output.split(/\s+/)
          .some((n) => /^\d+$/.test(n)),
        'after opening /dev/ptmx, /dev/pts has a numbered pty',
        { actual: out(facts, 'open').output },
      );
    },
  }),

  defineCase({
    id: 'rootfs.default-devices.console',
    title: "with process.terminal, /dev/console is a bind mount of the process's pty: the same device, and writes to it reach the master",
    requirements: ['config-linux:default-devices.console'],
    exercises: ['process.terminal'],
    bundle: (b) => b.set('process.terminal', true).probe({ only: ['mountinfo'], cmds: CONSOLE_CMDS }),
    async check(t) {
      // The master comes through runc's --console-socket convention (the spec names none; see suites/support/terminal.ts).
      const { facts, tty } = await probeOnTerminal(t);
      const console = out(facts, 'console').output.trim();
      const stdin = out(facts, 'stdin').output.trim();
      t.ok(console.startsWith('character special file|'), '/dev/console is a character device', { actual: console });
      t.equal(console.split('|')[1], stdin.split('|')[1], "/dev/console's device numbers (hex major:minor) are those of the process's terminal (stdin)");
      const [major, minor] = (console.split('|')[1] ?? '').split(':').map((x) => parseInt(x, 16));
      t.equal(
        ptyNumberOf(major ?? -1, minor ?? -1),
        tty.events().fd?.ptn,
        'the pty number of /dev/console and that of the master --console-socket received (TIOCGPTN)',
      );
      // "by bind mounting the pseudoterminal pty to /dev/console": a mount of a devpts file.
      const m = mountAt(facts.mounts ?? [], '/dev/console');
      t.ok(m?.fsType === 'devpts' && m.root === `/${tty.events().fd?.ptn}`, "/dev/console is a bind mount of the pty's file in a devpts", {
        expected: `devpts, root /${tty.events().fd?.ptn}`,
        actual: m ? `${m.fsType}, root ${m.root}` : 'not a mount point',
      });
      const write = out(facts, 'write');
      t.ok(write.rc === 0 && write.output.includes('via-dev-console'), 'a write to /dev/console succeeds and reaches the master', {
        actual: `rc ${write.rc}: ${write.output}`,
      });
    },
  }),

  ...DEV_LINKS.map(({ name, target }) =>
    defineCase({
      id: `rootfs.dev-symlinks.${name}`,
      title: `/dev/${name} is a symlink to ${target}`,
      requirements: [`runtime-linux:dev-symlinks.${name}`],
      // A runtime that puts something else there: a tmpfs (after the defaults' mounts).
      tamper: { [`mounts[${defaultConfig().mounts!.length}]`]: { destination: `/dev/${name}`, type: 'tmpfs', source: 'tmpfs', options: ['size=64k'] } },
      bundle: (b) => b.probe({ only: ['dev'], cmds: USE_LINK[name] ? { use: USE_LINK[name] } : {} }),
      async check(t) {
        const facts = await t.probe();
        const e = facts.dev?.get(`/dev/${name}`);
        if (!t.ok(e !== undefined, `/dev/${name} exists`)) return;
        t.equal([e!.type, e!.target], ['l', target], `/dev/${name}: type and symlink target`);
        const used = out(facts, 'use').output;
        if (name === 'fd')
          t.ok(
            ['0', '1', '2'].every((fd) => used.split(/\s+/).includes(fd)),
            '/dev/fd/ lists fds 0, 1 and 2',
            { actual: used },
          );
        // The probe runs commands with 2>&1: what reaches stderr is in the command's output too.
        if (name === 'stdout' || name === 'stderr')
          t.ok(used.includes(`via-dev-${name}`), `a write to /dev/${name} reaches the process's ${name}`, { actual: used });
      },
    }),
  ),
];
