// config-linux.md "Cgroups Path" and runtime.md "Delete": where the container's
// cgroup is, that its processes are in it, that delete removes what create made and
// keeps what it did not make.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { defineCase } from '../../harness/case/case.js';
import { HarnessError } from '../../harness/errors.js';
import type { CaseContext } from '../../harness/case/context.js';
import { isAlive, pidsGone } from '../../harness/host/hostfacts.js';
import { createdPid, expectFiles, uniqueName, withCgroupCleanup } from './common.js';
import { pidsExpectation } from './expect.js';
import { noHostViewOf } from '../support/host.js';
import { cgroupMounts, cgroupsOf, dirsForAbsolute, dirsForRelative, pidsInNamespaceOf, procsOf, type PlacedCgroup } from './host.js';

/** Generous: only the pids controller's placement matters here (gVisor's sandbox, for one, runs in the container's cgroup). */
const PIDS = 4096;
/** The controllers `resources` below needs: their cgroup is the one cgroupsPath names. */
const NEEDED = ['pids'];

/** The container's cgroup for each needed controller, as /proc/PID/cgroup shows it. */
function neededCgroups(t: CaseContext, pid: number): PlacedCgroup[] {
  const all = cgroupsOf(pid);
  return NEEDED.map((c) => {
    const v1 = t.env.host.cgroup.v1Controllers.includes(c) && t.env.host.cgroup.mode !== 'v2';
    const found = all.find((e) => (v1 ? e.hierarchy.split(',').includes(c) : e.hierarchy === ''));
    if (!found) t.fail(`the container process ${pid} is in no cgroup of the ${c} controller`, { actual: all });
    return found!;
  });
}

/** Holding probe that leaves a background child, so that the cgroup has more than one process. */
const holdWithChild = (b: BundleBuilder) => b.probe({ only: ['meta'], cmds: { child: 'sleep 1000 & echo started' }, hold: true });

async function runHolding(t: CaseContext, id = t.id): Promise<number> {
  await t.create({ id });
  await t.start(id);
  await t.waitOutput('@@ready', { id });
  const { pid } = await t.state(id);
  return pid!;
}

/**
 * The pre-made directories for a path in every hierarchy (named ones too), made by
 * the case as an administrator would: a v1 cpuset gets its parent's CPUs and memory
 * nodes (a fresh one has none, and no process could join it).
 */
function premake(path: string): string[] {
  const dirs = dirsForAbsolute(path);
  const cpuset = cgroupMounts().find((m) => m.version === 1 && m.controllers.includes('cpuset'));
  for (const d of dirs) {
    mkdirSync(d, { recursive: true });
    if (cpuset && d.startsWith(`${cpuset.mountPoint}/`)) {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(`${d}/${f}`, readFileSync(`${posix.dirname(d)}/${f}`, 'utf8').trim());
    }
  }
  return dirs;
}

export default [
  defineCase({
    id: 'cgroups.path.absolute',
    title: 'an absolute cgroupsPath is taken from the cgroup mount point, is created, holds the limits and every process of the container',
    requirements: ['config-linux:cgroups-path.absolute', 'config-linux:cgroups-path.created', 'config-linux:resources.pids.limit'],
    exercises: ['linux.cgroupsPath'],
    needs: ['cgroup-controller:pids'],
    bundle: (b) => holdWithChild(b).resources({ pids: { limit: PIDS } }),
    async check(t) {
      const path = `/${uniqueName(t)}/c`;
      t.bundle.builder.cgroupsPath(path).writeFiles();
      await withCgroupCleanup(
        t,
        () => dirsForAbsolute(path),
        2,
        async () => {
          const pid = await runHolding(t);
          // A sandbox (gVisor's) is the container's only host process: its cgroup is the
          // container's, but the processes of its pid namespace are the host's.
          const noHostView = noHostViewOf(t, pid, { running: true });
          if (noHostView) t.note(`the cgroup's processes are not compared with the container's: ${noHostView}`);
          const absolute = t.req('config-linux:cgroups-path.absolute');
          for (const cg of neededCgroups(t.req('config-linux:cgroups-path.created'), pid)) {
            absolute.equal(cg.path, path, `the container's cgroup for ${cg.hierarchy || 'the unified hierarchy'} (/proc/${pid}/cgroup)`);
            if (!cg.dir) continue;
            if (noHostView) {
              absolute.ok(procsOf(cg.dir).includes(pid), `${cg.dir} holds state's pid ${pid}`, { actual: procsOf(cg.dir) });
              continue;
            }
            const inNs = pidsInNamespaceOf(pid);
            absolute.equal(
              procsOf(cg.dir).sort((a, b) => a - b),
              inNs,
              `the processes of ${cg.dir} are exactly the container's (its pid namespace)`,
            );
          }
          expectFiles(t.req('config-linux:resources.pids.limit'), pid, pidsExpectation(PIDS), 'pids');
        },
      );
    },
  }),

  defineCase({
    id: 'cgroups.path.relative',
    title: 'a relative cgroupsPath lands under one runtime-chosen place, the same each time it is used',
    requirements: ['config-linux:cgroups-path.relative', 'config-linux:cgroups-path.consistent'],
    exercises: ['linux.cgroupsPath'],
    needs: ['cgroup-controller:pids'],
    bundle: (b) => b.probe({ only: ['meta'], hold: true }).resources({ pids: { limit: PIDS } }),
    async check(t) {
      const rel = `${uniqueName(t)}/c`;
      t.bundle.builder.cgroupsPath(rel).writeFiles();
      const seen: string[] = [];
      // Also where a runtime that failed midway may have left them: under conform's own cgroups, or at the roots.
      await withCgroupCleanup(
        t,
        () => [...seen, ...dirsForRelative(rel)],
        2,
        async () => {
          const places: string[][] = [];
          for (const id of [t.id, t.newId()]) {
            const pid = await runHolding(t, id);
            for (const cg of cgroupsOf(pid)) if (cg.dir && cg.path.endsWith(`/${rel}`)) seen.push(cg.dir);
            const cgs = neededCgroups(t.req('config-linux:cgroups-path.consistent'), pid);
            for (const cg of cgs) {
              t.req('config-linux:cgroups-path.relative').ok(
                cg.path === `/${rel}` || cg.path.endsWith(`/${rel}`),
                `the container ${id}'s cgroup ${cg.path} ends with the relative cgroupsPath ${rel}`,
              );
            }
            places.push(cgs.map((c) => c.path));
            await t.kill('SIGKILL', id);
            await t.waitStatus('stopped', { id });
            await t.delete(id);
          }
          t.req('config-linux:cgroups-path.consistent').equal(places[1], places[0], 'the cgroups of the second container with the same cgroupsPath');
        },
      );
    },
  }),

  defineCase({
    id: 'cgroups.delete.removes',
    title: 'delete removes the cgroup create made',
    requirements: ['runtime:delete.removes-resources', 'runtime:lifecycle.delete-destroys'],
    exercises: ['op:delete'],
    needs: ['cgroup-controller:pids'],
    bundle: (b) => b.probe({ only: ['meta'] }).resources({ pids: { limit: PIDS } }),
    async check(t) {
      const path = `/${uniqueName(t)}`;
      t.bundle.builder.cgroupsPath(path).writeFiles();
      await withCgroupCleanup(
        t,
        () => dirsForAbsolute(path),
        1,
        async () => {
          const removes = t.req('runtime:delete.removes-resources', 'runtime:lifecycle.delete-destroys');
          const pid = await createdPid(t);
          const made = cgroupsOf(pid)
            .filter((c) => c.path === path && c.dir)
            .map((c) => c.dir!);
          // Placement is cgroups.path.absolute's to judge; without a cgroup there, delete has nothing to remove.
          if (!made.length) return removes.unjudged(`the container is in no cgroup at its cgroupsPath ${path} (${JSON.stringify(cgroupsOf(pid))})`);
          await t.start();
          await t.waitOutput('@@done');
          await t.waitStatus('stopped');
          await t.delete();
          removes.equal(
            made.filter((d) => existsSync(d)),
            [],
            'cgroup directories of the container still there after delete',
          );
        },
      );
    },
  }),

  // runtime.md#runtimeDelete: "Deleting a container MUST delete the resources that were
  // created during the `create` step." The parents /x and /x/a did not exist before this
  // container's create made them to reach /x/a/b, and nothing else uses them: they are
  // resources create made. (A parent another container's create made, or one that existed
  // before, is one "not created by this container", which MUST NOT be deleted:
  // cgroups.delete.keeps-existing.)
  defineCase({
    id: 'cgroups.delete.parents',
    title: 'delete also removes the parent cgroups create made for a nested cgroupsPath',
    requirements: ['runtime:delete.removes-resources', 'runtime:lifecycle.delete-destroys'],
    exercises: ['op:delete'],
    needs: ['cgroup-controller:pids'],
    bundle: (b) => b.probe({ only: ['meta'] }).resources({ pids: { limit: PIDS } }),
    async check(t) {
      const path = `/${uniqueName(t)}/a/b`;
      t.bundle.builder.cgroupsPath(path).writeFiles();
      await withCgroupCleanup(
        t,
        () => dirsForAbsolute(path),
        3,
        async () => {
          const before = dirsForAbsolute(`/${uniqueName(t)}`).filter((d) => existsSync(d));
          if (before.length) throw new HarnessError(`the case's unique cgroup name is taken already: ${before.join(', ')}`);
          const pid = await createdPid(t);
          const made = cgroupsOf(pid)
            .filter((c) => c.path === path && c.dir)
            .map((c) => c.dir!);
          await t.start();
          await t.waitOutput('@@done');
          await t.waitStatus('stopped');
          await t.delete();
          const parents = made.flatMap((d) => [posix.dirname(d), posix.dirname(posix.dirname(d))]);
          const left = parents.filter((d) => existsSync(d));
          t.req('runtime:delete.removes-resources', 'runtime:lifecycle.delete-destroys').equal(
            left,
            [],
            'parent cgroups create made that are still there after delete',
          );
        },
      );
    },
  }),

  defineCase({
    id: 'cgroups.delete.keeps-existing',
    title: 'a cgroup that existed before create (cgroupsPath naming it) is still there after delete',
    requirements: ['runtime:delete.keeps-foreign-resources'],
    exercises: ['op:delete'],
    needs: ['cgroup-controller:pids'],
    bundle: (b) => b.probe({ only: ['meta'] }).resources({ pids: { limit: PIDS } }),
    async check(t) {
      const path = `/${uniqueName(t)}`;
      t.bundle.builder.cgroupsPath(path).writeFiles();
      await withCgroupCleanup(
        t,
        () => dirsForAbsolute(path),
        1,
        async () => {
          const pre = premake(path);
          const pid = await createdPid(t);
          t.ok(
            cgroupsOf(pid).some((c) => c.path === path),
            `the container joined the existing cgroup ${path}`,
            { actual: cgroupsOf(pid) },
          );
          await t.start();
          await t.waitOutput('@@done');
          await t.waitStatus('stopped');
          await t.delete();
          t.expectError(await t.rt.state(t.id), 'state after delete (the container itself must be gone)');
          // The runtime created none of these: they are resources it must not delete.
          t.equal(
            pre.filter((d) => !existsSync(d)),
            [],
            'pre-existing cgroup directories removed by delete',
          );
        },
      );
    },
  }),

  defineCase({
    id: 'cgroups.create.busy-cgroup',
    title: 'a cgroupsPath that already holds a host process: create may refuse it; either way that process is left alone',
    requirements: [
      'config-linux:cgroups.fitness-check',
      'config-linux:cgroups.fitness-error',
      'runtime:delete.keeps-foreign-resources',
      'runtime:errors.no-side-effects',
    ],
    unprovable: 'the misbehaviour is killing or moving a process the runtime did not start; no config.json edit makes runc or the reference runtime do that',
    needs: ['cgroup-controller:pids'],
    bundle: (b) => b.probe({ only: ['meta'], hold: true }).resources({ pids: { limit: PIDS } }),
    async check(t) {
      const path = `/${uniqueName(t)}`;
      t.bundle.builder.cgroupsPath(path).writeFiles();
      const sleeper = t.background(['sleep', '1000']);
      const spid = sleeper.pid;
      if (!spid) throw new HarnessError('could not start a host process (sleep) to put in the cgroup');
      await withCgroupCleanup(
        t,
        () => dirsForAbsolute(path),
        1,
        async () => {
          try {
            // Every hierarchy but cpuset (the host process keeps its own CPUs).
            const dirs = premake(path).filter((d) => !cgroupMounts().some((m) => m.controllers.includes('cpuset') && d.startsWith(`${m.mountPoint}/`)));
            for (const d of dirs) writeFileSync(`${d}/cgroup.procs`, String(spid));
            const r = await t.rt.create(t.id, t.bundle.dir);
            if (!r.ok) {
              t.note('create refused a cgroup that already has a process (a fitness check the spec allows)');
              t.req('config-linux:cgroups.fitness-error').expectError(r, 'create into a busy cgroup');
            } else {
              t.note('create accepted a cgroup that already has a process');
              await t.start();
              await t.waitOutput('@@ready');
              await t.kill('SIGKILL');
              await t.waitStatus('stopped');
              await t.delete();
            }
            // Not the container's: neither a refused create nor delete may touch it.
            const alone = t.req('runtime:delete.keeps-foreign-resources', 'runtime:errors.no-side-effects');
            // A dead process has no cgroup to look at: the first check then says it all.
            if (alone.ok(isAlive(spid!), `the host process ${spid} that was in the cgroup before create is alive`)) {
              const now = cgroupsOf(spid!);
              alone.ok(
                now.some((c) => c.path === path),
                `the host process ${spid} is still in ${path}`,
                { actual: now },
              );
            }
          } finally {
            // Before cleanup's rmdir, which needs the cgroup empty.
            try {
              process.kill(spid!, 'SIGKILL');
            } catch {
              /* gone */
            }
            await pidsGone([spid!], 5000);
          }
        },
      );
    },
  }),

  ...(
    [
      [
        'no-mount',
        'without a writable cgroup mount at /sys/fs/cgroup, the container cgroup keeps its owner (a non-root process.user, a new cgroup namespace)',
        'config-linux:cgroup-ownership.no-mount',
        false,
      ],
      [
        'v1',
        'on cgroup v1, the container cgroup keeps its owner even with a writable cgroup mount and a new cgroup namespace',
        'config-linux:cgroup-ownership.not-v1',
        true,
      ],
    ] as const
  ).map(([name, title, req, mount]) =>
    defineCase({
      id: `cgroups.ownership.${name}`,
      title,
      requirements: [req],
      unprovable:
        'the misbehaviour is a chown of the container cgroup where the spec recommends none; runc and the reference runtime chown only on cgroup v2 with a writable cgroup mount, which is what these cases rule out',
      needs: ['ns:cgroup', ...(mount ? ['cgroup:v1'] : [])],
      bundle: (b) => {
        b.probe({ only: ['meta'], hold: true })
          .user({ uid: 1000, gid: 1000 })
          .namespace('cgroup')
          .resources({ pids: { limit: PIDS } });
        if (mount) b.mount({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'rw'] });
      },
      async check(t) {
        const pid = await runHolding(t);
        const own = new Set(cgroupsOf(process.pid).map((c) => c.dir));
        const mine = cgroupsOf(pid).filter((c) => c.dir && !own.has(c.dir));
        // A runtime that puts the container in conform's own cgroups (or none) chowns nothing of its own.
        if (!mine.length) return t.skip(`the container has no cgroup of its own to look at (${JSON.stringify(cgroupsOf(pid).map((c) => c.path))})`);
        for (const c of mine) {
          for (const f of ['', 'cgroup.procs']) {
            const path = f ? `${c.dir}/${f}` : c.dir!;
            if (!existsSync(path)) continue;
            const { uid } = statSync(path);
            t.equal(uid, 0, `owner of ${path}`);
          }
        }
      },
    }),
  ),
];
