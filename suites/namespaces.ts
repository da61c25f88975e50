// config-linux.md "Namespaces", "User namespace mappings" and "Offset for Time
// Namespace": which namespaces the container process is in, read from the host
// (/proc/PID/ns/*, our lsns) and compared with the runtime's own and with holders'.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleBuilder } from '../harness/case/bundle.js';
import { defineCase } from '../harness/case/case.js';
import type { CaseContext } from '../harness/case/context.js';
import { isAlive, namespacesOf, type NamespaceKind } from '../harness/host/hostfacts.js';
import type { IDMapping, LinuxNamespace } from '../schemas/config.js';
import { holdMappedUserNs, hostIdsOf, running, runningOnHost } from './support/host.js';

/** The bundle's default namespaces. */
const BASE: NamespaceKind[] = ['pid', 'network', 'ipc', 'uts', 'mount'];
/** BASE without `type`, then `last`: the entry under test has an index known before the bundle exists. */
const withLast = (type: NamespaceKind, last: LinuxNamespace): LinuxNamespace[] => [...BASE.filter((k) => k !== type).map((k) => ({ type: k })), last];
const lastIndex = (type: NamespaceKind) => (BASE.includes(type) ? BASE.length - 1 : BASE.length);

const USER_MAP: IDMapping[] = [{ containerID: 0, hostID: 100000, size: 65536 }];
const GROUP_MAP: IDMapping[] = [{ containerID: 0, hostID: 200000, size: 65536 }];

/** A new user namespace needs mappings, or no id (root included) is mapped in it. */
function mapped(b: BundleBuilder): void {
  b.idMappings(USER_MAP, GROUP_MAP);
}

const needsOf = (type: NamespaceKind) => [`ns:${type}`, `feature:linux.namespaces=${type}`];

const hold = (b: BundleBuilder, only = ['meta']) => b.probe({ hold: true, only });

/**
 * Behaviour a new namespace of the type makes visible from inside, beyond its inode:
 * what config-linux.md says the type gives the container (a SHOULD-level list).
 */
const INSIDE: Partial<Record<NamespaceKind, { cmds: Record<string, string>; check: (t: CaseContext, out: (name: string) => string) => void }>> = {
  pid: {
    cmds: { procs: 'ls /proc' },
    check: (t, out) => {
      // The host has hundreds of processes; inside there are the probe and its helpers.
      const pids = out('procs')
        .split(/\s+/)
        .filter((s) => /^\d+$/.test(s));
      t.ok(pids.length > 0 && pids.length <= 10, `/proc inside lists only the container's processes (saw ${pids.length})`, { actual: pids });
    },
  },
  network: {
    cmds: { ifaces: "sed -n '3,$p' /proc/net/dev | cut -d: -f1 | tr -d ' '" },
    check: (t, out) => t.equal(out('ifaces').split('\n').filter(Boolean), ['lo'], 'network interfaces in /proc/net/dev inside'),
  },
};

function newCase(type: NamespaceKind) {
  const inside = INSIDE[type];
  return defineCase({
    id: `namespaces.new.${type}`,
    title: `a ${type} namespace listed without a path is a new one, not the runtime's`,
    requirements: ['config-linux:namespaces.new', `config-linux:namespaces.${type}`],
    exercises: [`linux.namespaces[${lastIndex(type)}]`],
    needs: needsOf(type),
    bundle: (b) => {
      b.probe({ hold: true, only: ['meta'], cmds: inside?.cmds });
      b.set('linux.namespaces', withLast(type, { type }));
      if (type === 'user') mapped(b);
    },
    async check(t) {
      // config-linux.md: the namespace types "SHOULD be supported": a runtime may refuse
      // one cleanly, unless its features list it.
      const claimed = t.env.runtime.features?.linux?.namespaces?.includes(type);
      const { facts, pid, noHostView } = await running(t.req('config-linux:namespaces.new', `config-linux:namespaces.${type}`), {
        refusable: `a new ${type} namespace`,
        claimed,
      });
      if (noHostView && !inside) t.skip(noHostView);
      if (noHostView) t.note(`the namespace itself is not compared: ${noHostView}; only what it shows inside is checked`);
      else {
        const mine = namespacesOf(pid)[type];
        const host = t.env.host.hostNs[type];
        t.req('config-linux:namespaces.new').ok(mine !== undefined && mine !== host, `the container's ${type} namespace is not the runtime's`, {
          expected: `not ${host}`,
          actual: mine,
        });
      }
      inside?.check(t.req(`config-linux:namespaces.${type}`), (name) => facts.cmds[name]?.output ?? '');
    },
  });
}

// Not `mount`: a container that shares the runtime's mount namespace would set up its
// rootfs among the host's own mounts, which no case should make a runtime do here.
function inheritCase(type: Exclude<NamespaceKind, 'mount'>) {
  return defineCase({
    id: `namespaces.inherit.${type}`,
    title: `a ${type} namespace missing from linux.namespaces is the runtime's`,
    requirements: ['config-linux:namespaces.inherit'],
    // No `exercises`: the setting under test is an absence. A runtime that always makes
    // namespaces of its own fails here.
    tamper: { [`linux.namespaces[${BASE.filter((k) => k !== type).length}]`]: { type } },
    needs: [`ns:${type}`],
    bundle: (b) => {
      hold(b);
      b.set(
        'linux.namespaces',
        BASE.filter((k) => k !== type).map((k) => ({ type: k })),
      );
      // Without a uts namespace the hostname would be the host's to change.
      if (type === 'uts') b.hostname(undefined);
    },
    async check(t) {
      const { pid } = await runningOnHost(t);
      t.equal(namespacesOf(pid)[type], t.env.host.hostNs[type], `the container's ${type} namespace (the runtime's is ${t.env.host.hostNs[type]})`);
    },
  });
}

function joinCase(type: NamespaceKind) {
  return defineCase({
    id: `namespaces.join.${type}`,
    title: `a ${type} namespace with a path is joined: the container's is the holder's`,
    requirements: [
      'config-linux:namespaces.path-join',
      'config-linux:namespaces.path-absolute',
      `config-linux:namespaces.${type}`,
      ...(type === 'pid' ? ['runtime:delete.keeps-foreign-resources'] : []),
    ],
    exercises: [`linux.namespaces[${lastIndex(type)}].path`],
    needs: needsOf(type),
    async check(t) {
      // The user holder has the maps a new one would get, so that the container's root is a mapped id.
      const holder = type === 'user' ? await holdMappedUserNs(t, USER_MAP, GROUP_MAP) : await t.holdNamespaces([type]);
      const want = namespacesOf(holder)[type];
      const bundle = await t.newBundle((b) => {
        // A mount namespace made before the bundle sees no mount made after it: a copied rootfs, not an overlay.
        b.plainRootfs = type === 'mount';
        hold(b).set('linux.namespaces', withLast(type, { type, path: t.nsPath(holder, type) }));
        // The holder's own maps, restated: the spec needs none for a joined namespace, but
        // some runtimes (runc 1.1) refuse a user namespace without them.
        if (type === 'user') mapped(b);
      });
      const { pid } = await runningOnHost(t.req('config-linux:namespaces.path-join'), {
        bundle,
        refusable: `joining the ${type} namespace at ${t.nsPath(holder, type)}`,
      });
      t.req('config-linux:namespaces.path-join').equal(namespacesOf(pid)[type], want, `the container's ${type} namespace (the holder's is ${want})`);
      if (type === 'pid') {
        // Deleting the container must leave the namespace's other member alone.
        await t.kill('SIGKILL');
        await t.waitStatus('stopped');
        await t.delete();
        t.req('runtime:delete.keeps-foreign-resources').ok(
          isAlive(holder),
          `the holder ${holder}, which shares the joined pid namespace, is still alive after delete`,
        );
      }
    },
  });
}

/** A namespace entry whose path cannot be joined as that type: create must fail and leave nothing. */
function badPathCase(id: string, title: string, path: (b: BundleBuilder) => string) {
  return defineCase({
    id: `namespaces.path.${id}`,
    title,
    requirements: ['config-linux:namespaces.path-type-mismatch', 'runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container'],
    exercises: [`linux.namespaces[${lastIndex('network')}].path`],
    needs: needsOf('network'),
    bundle: (b) => hold(b).set('linux.namespaces', withLast('network', { type: 'network', path: path(b) })),
    async check(t) {
      t.req('config-linux:namespaces.path-type-mismatch', 'runtime:create.apply-fail-error').expectError(
        await t.rt.create(t.id, t.bundle.dir),
        `create with a network namespace path that is not a network namespace`,
      );
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state after the failed create');
    },
  });
}

export default [
  ...(['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const).map(newCase),
  ...(['pid', 'network', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const).map(inheritCase),
  ...(['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const).map(joinCase),

  badPathCase('wrong-type', 'a namespace path of another type (network → an ipc namespace) is an error', () => `/proc/${process.pid}/ns/ipc`),
  badPathCase('not-a-namespace', 'a namespace path that is a regular file is an error', (b) => b.hostFile('not-a-namespace', 'a plain file\n')),

  defineCase({
    id: 'namespaces.duplicate-type',
    title: 'two namespace entries of the same type are an error',
    requirements: ['config-linux:namespaces.duplicate-error', 'runtime:create.apply-fail-no-container'],
    exercises: [`linux.namespaces[${BASE.length}]`],
    invalid: true,
    bundle: (b) => b.probe({ only: ['meta'] }).set('linux.namespaces', [...BASE.map((type) => ({ type })), { type: 'network' }]),
    async check(t) {
      t.req('config-linux:namespaces.duplicate-error').expectError(await t.rt.create(t.id, t.bundle.dir), 'create with two network namespace entries');
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state after the failed create');
    },
  }),

  defineCase({
    id: 'namespaces.unknown-type',
    title: 'a namespace type the spec does not define is an error',
    requirements: ['config:valid-values.invalid-error', 'runtime:create.apply-fail-no-container'],
    exercises: [`linux.namespaces[${BASE.length}]`],
    invalid: true,
    bundle: (b) => b.probe({ only: ['meta'] }).set('linux.namespaces', [...BASE.map((type) => ({ type })), { type: 'conform-bogus' }]),
    async check(t) {
      t.req('config:valid-values.invalid-error').expectError(await t.rt.create(t.id, t.bundle.dir), 'create with a namespace of type "conform-bogus"');
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state after the failed create');
    },
  }),

  ...(['uid', 'gid'] as const).map((kind) =>
    defineCase({
      id: `namespaces.user.${kind}-mappings`,
      title: `${kind}Mappings (two ranges) are the user namespace's ${kind}_map, and container ${kind} 0 is the mapped host id`,
      requirements: [`config-linux:user-mappings.${kind}`, 'config-linux:namespaces.user'],
      exercises: [`linux.${kind}Mappings`],
      needs: needsOf('user'),
      bundle: (b) => {
        hold(b, ['meta', 'idmap', 'status']);
        b.namespace('user');
        const two = (base: number): IDMapping[] => [
          { containerID: 0, hostID: base, size: 1000 },
          { containerID: 1000, hostID: base + 50000, size: 64536 },
        ];
        b.idMappings(kind === 'uid' ? two(100000) : USER_MAP, kind === 'gid' ? two(200000) : GROUP_MAP);
      },
      async check(t) {
        const { facts, pid, noHostView } = await running(t);
        const want = t.bundle.config.linux?.[`${kind}Mappings`];
        const got = kind === 'uid' ? facts.uidMap : facts.gidMap;
        const map = t.req(`config-linux:user-mappings.${kind}`);
        map.equal(got, want, `/proc/self/${kind}_map inside the container`);
        const inside = kind === 'uid' ? facts.status?.uid : facts.status?.gid;
        map.equal(inside?.[0], 0, `the process's real ${kind} inside`);
        if (noHostView) t.note(`the host ${kind} of the process is not checked: ${noHostView}`);
        else map.equal(hostIdsOf(pid)[kind][0], want?.[0]?.hostID, `the process's real ${kind} seen from the host (container ${kind} 0 mapped)`);
      },
    }),
  ),

  defineCase({
    id: 'namespaces.user.no-chown',
    title: 'the runtime does not chown the rootfs to realize the id mappings',
    // config-linux.md: "The runtime SHOULD NOT modify the ownership of referenced
    // filesystems to realize the mapping": a chown is a recommendation not followed (warn).
    requirements: ['config-linux:user-mappings.no-chown'],
    unprovable: 'the misbehaviour is a chown of the rootfs; no config.json edit makes runc or the reference runtime chown it',
    needs: needsOf('user'),
    bundle: (b) => {
      hold(b, ['meta', 'idmap']);
      b.namespace('user');
      mapped(b);
    },
    async check(t) {
      const rootfs = join(t.bundle.dir, 'rootfs');
      const files = [rootfs, join(rootfs, 'bin'), join(rootfs, 'conform'), join(rootfs, 'conform/probe'), join(rootfs, 'etc/passwd')];
      const owners = () => files.map((f) => `${f.slice(rootfs.length) || '/'} ${statSync(f).uid}:${statSync(f).gid}`);
      const before = owners();
      const { facts } = await running(t);
      // Only meaningful if the process really is in the mapped namespace: otherwise nothing
      // needed a chown (namespaces.user.uid-mappings judges the mapping itself).
      if (JSON.stringify(facts.uidMap) !== JSON.stringify(USER_MAP))
        t.skip(`the container's uid_map is ${JSON.stringify(facts.uidMap)}, not the configured one, so no chown was needed to realize it`);
      t.equal(owners(), before, 'owners of rootfs files on the host while the container runs');
    },
  }),

  defineCase({
    id: 'namespaces.time.offsets',
    title: 'timeOffsets shift the monotonic and boottime clocks of the new time namespace',
    requirements: ['config-linux:time-offsets.applied', 'config-linux:namespaces.time'],
    exercises: ['linux.timeOffsets'],
    needs: needsOf('time'),
    bundle: (b) => {
      b.ociVersion('1.3.0');
      b.probe({ only: ['meta'], cmds: { offsets: 'cat /proc/self/timens_offsets', uptime: 'cat /proc/uptime' } });
      b.namespace('time');
      b.set('linux.timeOffsets', { monotonic: { secs: 86400 * 365, nanosecs: 0 }, boottime: { secs: 86400 * 730, nanosecs: 500 } });
    },
    async check(t) {
      const hostUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
      const facts = await t.probe();
      const offsets = Object.fromEntries(
        (facts.cmds.offsets?.output ?? '')
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .filter((f) => f.length === 3)
          .map(([clock, secs, ns]) => [clock, { secs: Number(secs), nanosecs: Number(ns) }]),
      );
      const applied = t.req('config-linux:time-offsets.applied');
      applied.equal(offsets, t.bundle.config.linux?.timeOffsets, '/proc/self/timens_offsets inside the container');
      // /proc/uptime follows CLOCK_BOOTTIME: inside it is the host's plus the offset.
      const inside = Number(facts.cmds.uptime?.output.split(' ')[0]);
      applied.ok(inside >= hostUptime + 86400 * 730, 'uptime inside includes the boottime offset', {
        expected: `>= ${hostUptime + 86400 * 730}`,
        actual: inside,
      });
    },
  }),
];
