// config-linux.md "Devices" (nodes the runtime makes available) and "Allowed Device
// list" (linux.resources.devices, the device cgroup): what the process finds at the
// paths and what it may open.
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleBuilder } from '../harness/case/bundle.js';
import { defineCase } from '../harness/case/case.js';
import type { CaseContext } from '../harness/case/context.js';
import type { DevEntry, ProbeFacts } from '../harness/probe/parse.js';
import { errnosIn } from '../linux/errno.js';
import type { LinuxDevice } from '../schemas/config.js';
import type { DeviceRule } from '../schemas/config-linux.js';
import { deviceCgroupUnmet, statCmd, statOf } from './support/host.js';
import { REFUSED } from './support/tamper.js';

const cmd = (facts: ProbeFacts, name: string) => facts.cmds[name] ?? { output: '(the probe did not run it)', rc: -1 };

/** Stats `paths` inside (the probe's dev section covers /dev only to depth 2, and follows no path we choose). */
const statProbe = (b: BundleBuilder, paths: string[], cmds: Record<string, string> = {}) =>
  b.probe({ only: ['meta'], cmds: { stat: statCmd(...paths), ...cmds } });

/** The node at `path`, which must exist (config-linux.md: listed devices MUST be available). */
function entry(t: CaseContext, facts: ProbeFacts, path: string): DevEntry | undefined {
  const e = statOf(cmd(facts, 'stat').output).get(path);
  t.req('config-linux:devices.available').ok(e !== undefined, `${path} exists in the container`, { actual: cmd(facts, 'stat').output });
  return e;
}

const octal = (n: number | undefined) => (n === undefined ? n : `0${n.toString(8)}`);

/** `requirements[0]`: what the node's type, numbers, mode or owner (`expect`) and its use check. */
function nodeCase(o: {
  id: string;
  title: string;
  requirements: [string, ...string[]];
  device: LinuxDevice;
  expect: Partial<DevEntry>;
  exercises?: string[];
  use?: string;
  useOutput?: string;
}) {
  return defineCase({
    id: `devices.${o.id}`,
    title: o.title,
    requirements: ['config-linux:devices.available', ...o.requirements],
    exercises: o.exercises ?? ['linux.devices'],
    bundle: (b) => {
      b.device(o.device);
      statProbe(b, [o.device.path], o.use ? { use: o.use } : {});
    },
    async check(t) {
      const facts = await t.probe();
      const e = entry(t, facts, o.device.path);
      if (!e) return;
      const keys = Object.keys(o.expect) as (keyof DevEntry)[];
      const shown = (x: Partial<DevEntry>) => Object.fromEntries(keys.map((k) => [k, k === 'mode' ? octal(x[k] as number) : x[k]]));
      const property = t.req(o.requirements[0]);
      property.equal(shown(e), shown(o.expect), `${o.device.path}: ${keys.join(', ')}`);
      if (o.use) property.equal(cmd(facts, 'use').output.trim(), o.useOutput, `using ${o.device.path} (${o.use})`);
    },
  });
}

/** A file already at the device path that is not the device: create must fail. */
function conflictCase(id: string, title: string, what: string, prepare: (rootfsPath: string) => void) {
  const path = `/mnt/conform-conflict-${id}`;
  return defineCase({
    id: `devices.conflict.${id}`,
    title,
    requirements: ['config-linux:devices.path-conflict-error', 'runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.devices'],
    bundle: (b) => b.device({ path, type: 'c', major: 1, minor: 3, fileMode: 0o666 }).probe({ only: ['meta'] }),
    async check(t) {
      prepare(join(t.bundle.dir, 'rootfs', path));
      t.req('config-linux:devices.path-conflict-error', 'runtime:create.apply-fail-error').expectError(
        await t.rt.create(t.id, t.bundle.dir),
        `create with a c 1:3 device at ${path}, where ${what} already is`,
      );
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state after the failed create');
    },
  });
}

const mknod = (path: string, major: number, minor: number) => execFileSync('mknod', ['-m', '0666', path, 'c', String(major), String(minor)]);

// --- device cgroup --------------------------------------------------------------------

/**
 * Misc devices that open without capabilities, so that the cgroup alone decides. None is
 * a default device of the spec. (runc allows tun by a rule of its own: see deny-all.)
 */
const FUSE = { path: '/dev/conform-fuse', host: '/dev/fuse', major: 10, minor: 229 };
const LOOP = { path: '/dev/conform-loop-control', host: '/dev/loop-control', major: 10, minor: 237 };
const TUN = { path: '/dev/conform-tun', host: '/dev/net/tun', major: 10, minor: 200 };
/** Opened write-only, which needs no capability (a read would need CAP_SYSLOG). Nothing is written. */
const KMSG = { path: '/dev/conform-kmsg', host: '/dev/kmsg', major: 1, minor: 11 };
const MISC = [FUSE, LOOP, TUN, KMSG];
const NODES: LinuxDevice[] = MISC.map(({ path, major, minor }) => ({ path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 }));

const OPEN_RW = (p: string) => `exec 3<>${p} && echo opened`;
const OPEN_R = (p: string) => `exec 3<${p} && echo opened`;
const OPEN_W = (p: string) => `exec 3>${p} && echo opened`;

function hostChar(path: string, major: number, minor: number): boolean {
  try {
    const s = statSync(path);
    return s.isCharacterDevice() && Math.floor(s.rdev / 256) === major && s.rdev % 256 === minor;
  } catch {
    return false;
  }
}

/** `about`: opens judged against a requirement of their own rather than the rules' (see deny-all). */
function cgroupCase(o: {
  id: string;
  title: string;
  requirements: string[];
  exercises: string[];
  rules: DeviceRule[];
  opens: Record<string, string>;
  expect: Record<string, boolean>;
  note?: string[];
  about?: Record<string, string>;
}) {
  return defineCase({
    id: `devices.cgroup.${o.id}`,
    title: o.title,
    requirements: ['config-linux:resources.devices.enforced', ...o.requirements],
    exercises: o.exercises,
    bundle: (b) => {
      for (const d of NODES) b.device(d);
      b.resources({ devices: o.rules });
      b.probe({ only: ['meta'], cmds: o.opens });
    },
    async check(t) {
      const unmet = deviceCgroupUnmet(t.env);
      if (unmet) t.skip(unmet);
      for (const d of MISC) {
        if (!hostChar(d.host, d.major, d.minor))
          t.skip(`needs the ${d.host} driver (c ${d.major}:${d.minor}) on the host: the open checks would fail for want of it`);
      }
      const facts = await t.probe();
      // Whether a node opens is the rules enforced, as the case's own requirement reads them.
      const own = o.requirements.filter((id) => !Object.values(o.about ?? {}).includes(id));
      for (const [name, allowed] of Object.entries(o.expect)) {
        const r = cmd(facts, name);
        const about = o.about?.[name];
        const rules = about ? t.req(about) : t.req('config-linux:resources.devices.enforced', ...own);
        if (allowed) rules.ok(r.rc === 0 && r.output.includes('opened'), `${name}: ${o.opens[name]} is allowed`, { actual: `rc ${r.rc}: ${r.output}` });
        else
          rules.ok(r.rc !== 0 && errnosIn(r.output).includes('EPERM'), `${name}: ${o.opens[name]} is denied with EPERM`, {
            expected: 'EPERM (Operation not permitted)',
            actual: `rc ${r.rc}: ${r.output}`,
          });
      }
      for (const name of o.note ?? [])
        t.note(`${name}: ${o.opens[name]} ${cmd(facts, name).rc === 0 ? 'opened' : `was refused (${cmd(facts, name).output.trim()})`}`);
    },
  });
}

const DENY_ALL: DeviceRule = { allow: false, access: 'rwm' };
// The base for deny cases: without it a runtime may start from deny-all (runc does).
const ALLOW_ALL: DeviceRule = { allow: true, access: 'rwm' };

export default [
  nodeCase({
    id: 'char',
    title: 'a char device (c 1:3 at /dev/conform-char) is there with its type and numbers, and works',
    requirements: ['config-linux:devices.type'],
    device: { path: '/dev/conform-char', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    expect: { type: 'c', major: 1, minor: 3 },
    use: 'echo x > /dev/conform-char && wc -c < /dev/conform-char',
    useOutput: '0',
  }),
  nodeCase({
    id: 'block',
    title: 'a block device (b 7:0 at /dev/conform-block) is there with its type and numbers',
    requirements: ['config-linux:devices.type'],
    device: { path: '/dev/conform-block', type: 'b', major: 7, minor: 0, fileMode: 0o600, uid: 0, gid: 0 },
    expect: { type: 'b', major: 7, minor: 0 },
  }),
  nodeCase({
    id: 'fifo',
    title: 'a fifo (p at /dev/conform-fifo, no numbers) is there and passes data',
    requirements: ['config-linux:devices.type', 'config-linux:devices.required-fields'],
    device: { path: '/dev/conform-fifo', type: 'p', fileMode: 0o666 },
    expect: { type: 'p' },
    use: '(echo through-the-fifo > /dev/conform-fifo &) ; cat /dev/conform-fifo',
    useOutput: 'through-the-fifo',
  }),
  nodeCase({
    id: 'unbuffered',
    title: 'an unbuffered char device (u 1:5) is a character device 1:5',
    requirements: ['config-linux:devices.type'],
    device: { path: '/dev/conform-unbuffered', type: 'u', major: 1, minor: 5, fileMode: 0o666 },
    expect: { type: 'c', major: 1, minor: 5 },
    use: 'head -c 4 /dev/conform-unbuffered | od -An -tx1',
    useOutput: '00 00 00 00',
  }),
  defineCase({
    id: 'devices.file-mode',
    title: "fileMode (decimal 416 = 0640, 438 = 0666) is each node's permission bits, whatever the runtime's umask",
    requirements: ['config-linux:devices.available', 'config-linux:devices.file-mode'],
    exercises: ['linux.devices[0].fileMode', 'linux.devices[1].fileMode'],
    bundle: (b) => {
      b.device({ path: '/dev/conform-0640', type: 'c', major: 1, minor: 3, fileMode: 416 });
      // 0666 survives only if the runtime sets the mode after mknod (or clears its umask).
      b.device({ path: '/dev/conform-0666', type: 'c', major: 1, minor: 5, fileMode: 438 });
      statProbe(b, ['/dev/conform-0640', '/dev/conform-0666']);
    },
    async check(t) {
      const facts = await t.probe();
      for (const [path, mode] of [
        ['/dev/conform-0640', 0o640],
        ['/dev/conform-0666', 0o666],
      ] as const) {
        const e = entry(t, facts, path);
        if (e) t.req('config-linux:devices.file-mode').equal(octal(e.mode), octal(mode), `${path}: permission bits`);
      }
    },
  }),
  nodeCase({
    id: 'owner',
    title: "uid and gid (1000:1001) are the node's owner",
    requirements: ['config-linux:devices.owner'],
    exercises: ['linux.devices[0].uid', 'linux.devices[0].gid'],
    device: { path: '/dev/conform-owned', type: 'c', major: 1, minor: 3, fileMode: 0o660, uid: 1000, gid: 1001 },
    expect: { uid: 1000, gid: 1001 },
  }),
  nodeCase({
    id: 'outside-dev',
    title: 'a device path outside /dev (/mnt/conform-null) is honoured',
    requirements: ['config-linux:devices.type', 'config-linux:devices.path-anywhere'],
    device: { path: '/mnt/conform-null', type: 'c', major: 1, minor: 3, fileMode: 0o666 },
    expect: { type: 'c', major: 1, minor: 3 },
    use: 'echo x > /mnt/conform-null && wc -c < /mnt/conform-null',
    useOutput: '0',
  }),

  defineCase({
    id: 'devices.missing-numbers',
    title: 'a char device without major and minor is an error',
    requirements: ['config-linux:devices.required-fields', 'config:valid-values.invalid-error'],
    exercises: ['linux.devices'],
    invalid: true,
    bundle: (b) => b.device({ path: '/dev/conform-nonumbers', type: 'c' }).probe({ only: ['meta'] }),
    async check(t) {
      t.req('config-linux:devices.required-fields', 'config:valid-values.invalid-error').expectError(
        await t.rt.create(t.id, t.bundle.dir),
        'create with a c device that has no major/minor',
      );
    },
  }),

  conflictCase('file', 'a device path where a regular file is: create fails', 'a regular file', (p) => writeFileSync(p, 'not a device\n')),
  conflictCase('other-device', 'a device path where another device (c 1:5) is: create fails', 'a c 1:5 node', (p) => mknod(p, 1, 5)),

  defineCase({
    id: 'devices.existing-match',
    title: 'a device path where that very device already is: create succeeds and the node is kept',
    requirements: ['config-linux:devices.available'],
    // No `exercises`: the node is in the rootfs either way. A runtime that refuses any
    // existing file at a device path fails here.
    tamper: REFUSED,
    bundle: (b) => statProbe(b.device({ path: '/mnt/conform-match', type: 'c', major: 1, minor: 3, fileMode: 0o666 }), ['/mnt/conform-match']),
    async check(t) {
      mknod(join(t.bundle.dir, 'rootfs/mnt/conform-match'), 1, 3);
      const facts = await t.probe();
      const e = entry(t, facts, '/mnt/conform-match');
      if (e) t.equal([e.type, e.major, e.minor], ['c', 1, 3], '/mnt/conform-match: type, major, minor');
    },
  }),

  cgroupCase({
    id: 'allow-all',
    title: 'an allow rule with no type and no numbers lets every device open',
    requirements: ['config-linux:resources.devices.wildcards'],
    exercises: ['linux.resources.devices'],
    rules: [ALLOW_ALL],
    opens: { fuse: OPEN_RW(FUSE.path), loop: OPEN_RW(LOOP.path) },
    expect: { fuse: true, loop: true },
  }),
  cgroupCase({
    id: 'deny',
    title: 'after allow-all, a deny rule for c 10:229 stops that node opening; c 10:237 still opens',
    requirements: ['config-linux:resources.devices.order'],
    exercises: ['linux.resources.devices[1]'],
    rules: [ALLOW_ALL, { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }],
    opens: { fuse: OPEN_RW(FUSE.path), loop: OPEN_RW(LOOP.path) },
    expect: { fuse: false, loop: true },
  }),
  cgroupCase({
    id: 'allow',
    title: 'after deny-all, an allow rule for c 10:229 lets that node open and no other',
    requirements: ['config-linux:resources.devices.wildcards'],
    exercises: ['linux.resources.devices[1]'],
    rules: [DENY_ALL, { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }],
    opens: { fuse: OPEN_RW(FUSE.path), loop: OPEN_RW(LOOP.path) },
    expect: { fuse: true, loop: false },
  }),
  cgroupCase({
    id: 'order',
    title: 'rules apply in order: allow then deny denies; deny then allow allows',
    requirements: ['config-linux:resources.devices.order'],
    exercises: ['linux.resources.devices[2]'],
    rules: [
      DENY_ALL,
      { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
      { allow: false, type: 'c', major: 10, minor: 229, access: 'rw' },
      { allow: false, type: 'c', major: 10, minor: 237, access: 'rw' },
      { allow: true, type: 'c', major: 10, minor: 237, access: 'rw' },
    ],
    opens: { fuse: OPEN_RW(FUSE.path), loop: OPEN_RW(LOOP.path) },
    expect: { fuse: false, loop: true },
  }),
  cgroupCase({
    id: 'wildcard-minor',
    title: 'a rule with a major and no minor (c 10:*) covers every minor of that major, and no other major',
    requirements: ['config-linux:resources.devices.wildcards'],
    exercises: ['linux.resources.devices[1]'],
    // Allowing on a deny-all base: runc cannot carve its own allow rules (c 10:200) out of
    // a v1 wildcard deny, which says nothing about the spec.
    rules: [DENY_ALL, { allow: true, type: 'c', major: 10, access: 'rw' }],
    opens: { fuse: OPEN_RW(FUSE.path), loop: OPEN_RW(LOOP.path), kmsg: OPEN_W(KMSG.path) },
    expect: { fuse: true, loop: true, kmsg: false },
  }),
  cgroupCase({
    id: 'wildcard-type',
    title: 'a rule with numbers and no type (10:229) covers the char device with those numbers',
    requirements: ['config-linux:resources.devices.wildcards'],
    exercises: ['linux.resources.devices[1]'],
    rules: [ALLOW_ALL, { allow: false, major: 10, minor: 229, access: 'rw' }],
    opens: { fuse: OPEN_RW(FUSE.path), loop: OPEN_RW(LOOP.path) },
    // config-linux.md maps an unset type to `a`, and the v1 controller reads `a` as every
    // device whatever the numbers: whether 10:237 stays open is not settled, so it is noted.
    expect: { fuse: false },
    note: ['loop'],
  }),
  cgroupCase({
    id: 'access',
    title: 'an allow rule with access "r" lets the node open for reading only',
    requirements: [],
    exercises: ['linux.resources.devices[1]'],
    rules: [DENY_ALL, { allow: true, type: 'c', major: 10, minor: 229, access: 'r' }],
    opens: { read: OPEN_R(FUSE.path), write: OPEN_W(FUSE.path) },
    expect: { read: true, write: false },
  }),
  // A runtime must add allow rules of its own for the default devices, which the spec makes
  // available in every container; for any other node the text has only "Containers MAY NOT
  // access any device node that is not either explicitly referenced in the devices array or
  // listed as being part of the default devices" (config-linux.md#configLinuxDevices), and
  // "MAY NOT" is no RFC 2119 keyword. So tun (runc allows it by a rule of its own, appended
  // after the config's) is judged against that MAY: a warning, not a failure.
  cgroupCase({
    id: 'deny-all',
    title: 'a single deny-all rule denies every device that is neither listed by an allow rule nor a default one',
    requirements: ['config-linux:resources.devices.wildcards', 'config-linux:devices.unlisted-access'],
    exercises: ['linux.resources.devices'],
    rules: [DENY_ALL],
    opens: { fuse: OPEN_RW(FUSE.path), loop: OPEN_RW(LOOP.path), tun: OPEN_RW(TUN.path) },
    expect: { fuse: false, loop: false, tun: false },
    about: { tun: 'config-linux:devices.unlisted-access' },
  }),

  defineCase({
    id: 'devices.cgroup.missing-allow',
    title: 'a device cgroup rule without `allow` is an error',
    requirements: ['config-linux:resources.devices.required-fields', 'config:valid-values.invalid-error'],
    exercises: ['linux.resources.devices'],
    invalid: true,
    bundle: (b) => b.resources({ devices: [{ type: 'c', major: 10, minor: 229, access: 'rw' } as unknown as DeviceRule] }).probe({ only: ['meta'] }),
    async check(t) {
      t.req('config-linux:resources.devices.required-fields', 'config:valid-values.invalid-error').expectError(
        await t.rt.create(t.id, t.bundle.dir),
        'create with a device rule that has no "allow"',
      );
    },
  }),
];
