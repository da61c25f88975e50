// Root only: a real cgroup on this machine, under a unique name, created, limited,
// joined by a `sleep`, killed and removed, with nothing left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCgroupValue } from '../../linux/cgroupfs.js';
import { Cgroups, ResourceCgroups, detectHost } from '../../runtime/cgroups/index.js';
import type { LinuxDeviceCgroup } from '../../runtime/cgroups/types.js';
import { deviceProgram } from '../../runtime/cgroups/v2.js';
import { libc } from '../../runtime/syscalls-libc.js';

const isRoot = process.getuid?.() === 0;
const host = (() => {
  try {
    return detectHost();
  } catch {
    return undefined;
  }
})();
const v1 = host !== undefined && host.mode !== 'v2' && ['memory', 'pids', 'cpu'].every((c) => host.v1[c]);

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (_code, signal) => resolve(signal));
  });
}

describe.skipIf(!isRoot || !v1)('cgroups on this host (root, cgroup v1)', () => {
  it('creates, limits, joins, kills and removes a v1 cgroup', async () => {
    const top = `/conform-test-${process.pid}-${Date.now().toString(36)}`;
    const cg = ResourceCgroups.plan({
      id: 'unused',
      cgroupsPath: `${top}/c1`,
      host,
      resources: {
        pids: { limit: 10 },
        memory: { limit: 64 * 1024 * 1024, reservation: 32 * 1024 * 1024 },
        cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0' },
        devices: [
          { allow: false, access: 'rwm' },
          { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
        ],
      },
    });
    let child: ChildProcess | undefined;
    try {
      cg.create();
      cg.apply();
      const dir = (c: string): string => cg.dirs.find((d) => d.controllers.includes(c))!.dir;
      const file = (c: string, f: string): string => readFileSync(posix.join(dir(c), f), 'utf8').trim();
      expect(file('pids', 'pids.max')).toBe('10');
      expect(file('memory', 'memory.limit_in_bytes')).toBe(String(64 * 1024 * 1024));
      expect(file('memory', 'memory.soft_limit_in_bytes')).toBe(String(32 * 1024 * 1024));
      expect(file('cpu', 'cpu.shares')).toBe('512');
      expect(file('cpu', 'cpu.cfs_quota_us')).toBe('50000');
      if (host?.v1.cpuset) expect(file('cpuset', 'cpuset.cpus')).toBe('0');
      if (host?.v1.devices) {
        const list = file('devices', 'devices.list').split('\n');
        expect(list).toContain('c 10:229 rw');
        expect(list).toContain('c 1:3 rwm');
        expect(list).toContain('c 136:* rwm');
        expect(list).not.toContain('a *:* rwm');
      }

      child = spawn('sleep', ['60'], { stdio: 'ignore' });
      const pid = child.pid!;
      cg.join(pid);
      expect(cg.pids()).toEqual([pid]);
      // The harness's read-back helper sees the same values through /proc/PID/cgroup.
      expect(readCgroupValue(pid, 'pids', 'pids.max')).toBe('10');
      expect(readCgroupValue(pid, 'memory', 'memory.limit_in_bytes')).toBe(String(64 * 1024 * 1024));

      // A state round trip, as `kill` and `delete` would do in later runtime calls.
      const later = Cgroups.fromState(JSON.parse(JSON.stringify(cg.toJSON())));
      later.killAll(9);
      expect(await exited(child)).toBe('SIGKILL');
      later.destroy();
      for (const d of cg.dirs) {
        expect(existsSync(d.dir), d.dir).toBe(false);
        expect(existsSync(posix.join(d.mount, top)), posix.join(d.mount, top)).toBe(false);
      }
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (child) await exited(child);
      // Whatever an assertion above left behind.
      for (const d of cg.dirs) {
        for (const p of [d.dir, posix.join(d.mount, top)]) {
          try {
            if (existsSync(p)) rmdirSync(p);
          } catch {
            // reported by the assertions
          }
        }
      }
    }
  });
});

describe.skipIf(!isRoot || !host?.unified)('the cgroup v2 device program in this kernel (root, a cgroup2 mount)', () => {
  /** Opens /dev/kmsg (c 1:11) for reading and /dev/null for writing from a process in a new v2 cgroup with `rules`. */
  async function opensUnder(rules: LinuxDeviceCgroup[]): Promise<string[]> {
    const dir = posix.join(host!.unified!, `conform-test-dev-${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(dir);
    // Waits for a line (sent once it is in the cgroup), then tries the devices.
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        'read x; for d in /dev/kmsg; do if ( exec 3<$d ) 2>/dev/null; then echo "$d ok"; else echo "$d denied"; fi; done; if ( exec 3>/dev/null ); then echo "/dev/null ok"; else echo "/dev/null denied"; fi',
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    try {
      libc().attachCgroupDeviceFilter(dir, deviceProgram({ devices: rules })!);
      writeFileSync(posix.join(dir, 'cgroup.procs'), String(child.pid));
      child.stdin!.end('go\n');
      await exited(child);
      return out.trim().split('\n');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
      rmdirSync(dir);
    }
  }

  it('loads, attaches, and the kernel follows the rules (and keeps the default devices open)', async () => {
    const denyAll: LinuxDeviceCgroup = { allow: false, access: 'rwm' };
    expect(await opensUnder([denyAll])).toEqual(['/dev/kmsg denied', '/dev/null ok']);
    expect(await opensUnder([denyAll, { allow: true, type: 'c', major: 1, minor: 11, access: 'r' }])).toEqual(['/dev/kmsg ok', '/dev/null ok']);
    expect(await opensUnder([denyAll, { allow: true, type: 'c', major: 1, minor: 11, access: 'w' }])).toEqual(['/dev/kmsg denied', '/dev/null ok']);
  });
});
