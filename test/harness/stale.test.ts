// The sweep of run directories whose conform was killed outright: what they left is
// removed (processes, cgroups named after their containers, mounts, the directory);
// directories of live runs, and directories without an owner file, are left alone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mountsUnder } from '../../harness/host/cleanup.js';
import { isAlive, startTime } from '../../harness/host/hostfacts.js';
import { OWNER_FILE, sweepStaleRuns, writeOwner } from '../../harness/host/stale.js';
import { shimSocket, outsideOfRun } from '../../harness/engines/containerd.js';
import { isRoot } from '../helpers/conform.js';

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

describe('sweepStaleRuns', () => {
  let work: string;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await exited(c);
    }
    for (const m of mountsUnder(work)) spawnSync('umount', ['-l', m]);
    rmSync(work, { recursive: true, force: true });
  });

  it.skipIf(!isRoot)('removes what a killed run left, and only that (root: a tmpfs mount and a cgroup)', async () => {
    work = mkdtempSync(join(tmpdir(), 'conform-stale-test-'));
    const stale = join(work, 'conform-Ab12Cd');
    const live = join(work, 'conform-Ef34Gh');
    const foreign = join(work, 'conform-Ij56Kl');
    const kept = join(work, 'conform-Mn78Op');
    for (const d of [stale, live, foreign, kept]) mkdirSync(d);
    const dead = spawnSync('true').pid!;
    writeFileSync(join(stale, OWNER_FILE), JSON.stringify({ pid: dead, tag: 'a1b2c3' }));
    // A --keep run that was killed: what runs there is stopped, its files stay.
    writeFileSync(join(kept, OWNER_FILE), JSON.stringify({ pid: dead, tag: 'f0f0f0', keep: true }));
    writeFileSync(join(kept, 'calls.log'), 'kept');
    const keptWorker = spawn('sleep', ['1000'], { cwd: kept, stdio: 'ignore' });
    children.push(keptWorker);
    writeOwner(live, 'd4e5f6');
    // A process working in the stale directory, one with a path in it among its
    // arguments, and one that has nothing to do with it.
    const worker = spawn('sleep', ['1000'], { cwd: stale, stdio: 'ignore' });
    writeFileSync(join(stale, 'log'), '');
    const holder = spawn('tail', ['-f', join(stale, 'log')], { stdio: 'ignore' });
    const unrelated = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(worker, holder, unrelated);
    // A foreign process in the live run's directory must survive.
    const liveWorker = spawn('sleep', ['1000'], { cwd: live, stdio: 'ignore' });
    children.push(liveWorker);
    mkdirSync(join(stale, 'm'));
    expect(spawnSync('mount', ['-t', 'tmpfs', 'conform-stale', join(stale, 'm')]).status).toBe(0);
    // Container cgroups of the killed run (a case's id ends with the run's tag; its other
    // containers add -N or -control), and two that are not its own, which stay.
    const pids = '/sys/fs/cgroup/pids';
    const hasPids = existsSync(pids);
    const cgs = hasPids ? ['conform-stale-case-a1b2c3', 'conform-stale-case-a1b2c3-2', 'conform-stale-case-a1b2c3-control'].map((n) => join(pids, n)) : [];
    const notOurs = hasPids ? ['conform-stale-case-a1b2c3x', 'conform-stale-case-a1b2c3-other'].map((n) => join(pids, n)) : [];
    for (const d of [...cgs, ...notOurs]) mkdirSync(d);
    // A container its containerd still had, whose shim the sweep kills: the socket the shim
    // leaves in /run/containerd/s, named for the run's containerd address and namespace.
    const ns = 'conform-containerd-a1b2c3';
    mkdirSync(join(stale, 'services/containerd/state/io.containerd.runtime.v2.task', ns, 'case-a1b2c3'), { recursive: true });
    const socket = shimSocket(join(stale, 'services/containerd/containerd.sock'), ns, 'case-a1b2c3');
    const madeDirs = ['/run/containerd', '/run/containerd/s'].filter((d) => !existsSync(d));
    mkdirSync('/run/containerd/s', { recursive: true });
    writeFileSync(socket, '');
    // What its containerd made for the shims (removed when empty), and a directory it did
    // not make, whatever the file says (never removed: not one of containerd's).
    const bystander = mkdtempSync(join(tmpdir(), 'conform-stale-empty-'));
    writeFileSync(join(stale, 'services/containerd/made-dirs.json'), JSON.stringify([...madeDirs, bystander]));
    try {
      const notes = await sweepStaleRuns(work, outsideOfRun);
      expect(notes).toHaveLength(2);
      expect(notes.find((n) => n.includes(kept))).toMatch(
        new RegExp(`^cleaned up ${kept} \\(kept: its files stay\\), left by a run \\(pid ${dead}\\) that was killed: 1 process`),
      );
      await exited(keptWorker);
      expect(existsSync(join(kept, 'calls.log')) && !existsSync(join(kept, OWNER_FILE))).toBe(true);
      expect(notes.find((n) => n.includes(stale))).toMatch(
        new RegExp(
          `^removed ${stale}, left by a run \\(pid ${dead}\\) that was killed: 2 process\\(es\\), ${cgs.length} cgroup\\(s\\), 1 mount\\(s\\), 1 file\\(s\\) outside it \\(${socket}\\)` +
            (madeDirs.length ? `, ${madeDirs.length} empty directory\\(ies\\) its engines made \\(${[...madeDirs].reverse().join(', ')}\\)$` : '$'),
        ),
      );
      for (const d of madeDirs) expect(existsSync(d)).toBe(false);
      expect(existsSync(bystander)).toBe(true);
      expect(existsSync(socket)).toBe(false);
      await exited(worker);
      await exited(holder);
      expect(existsSync(stale)).toBe(false);
      expect(mountsUnder(work)).toEqual([]);
      expect(cgs.filter((d) => existsSync(d))).toEqual([]);
      expect(notOurs.filter((d) => existsSync(d))).toEqual(notOurs);
      expect(existsSync(live) && existsSync(foreign)).toBe(true);
      expect(isAlive(liveWorker.pid!) && startTime(liveWorker.pid!) !== undefined).toBe(true);
      expect(isAlive(unrelated.pid!)).toBe(true);
    } finally {
      for (const d of [...cgs, ...notOurs]) if (existsSync(d)) rmdirSync(d);
      rmSync(socket, { force: true });
      for (const d of madeDirs.reverse()) rmSync(d, { recursive: true, force: true });
      rmdirSync(bystander);
    }
  });
});
