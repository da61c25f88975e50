// Test helper: a cgroup tree in a temp dir, materialised from a fixture under
// fixtures/cgroups/, that behaves like cgroupfs where the manager can tell:
// mkdir fills a new cgroup with its control files (on v2 only for the controllers
// the parent enables), a write needs an existing file, cgroup.procs moves a pid,
// rmdir refuses a cgroup with processes or children. Every write is logged.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCgroupMounts, parseProcCgroup, type CgroupMount } from '../../linux/cgroupfs.js';
import type { CgroupFs } from '../../runtime/cgroups/fs.js';
import { detectHost, type HostCgroups } from '../../runtime/cgroups/host.js';

export interface CgroupFixture {
  description: string;
  mountinfo: string;
  procSelfCgroup: string;
  hierarchies: Record<string, { root: Record<string, string | null>; child: Record<string, string | null> }>;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/cgroups');

export function loadFixture(name: 'hybrid-v1' | 'v2'): CgroupFixture {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as CgroupFixture;
}

function fsError(code: string, what: string): Error {
  return Object.assign(new Error(`${code}: ${what}`), { code });
}

/** Files of a v2 cgroup that exist without any controller enabled. */
const V2_CORE = new Set(['cpu.pressure', 'cpu.stat', 'cpu.stat.local', 'io.pressure', 'memory.pressure', 'irq.pressure']);

export class FakeCgroupTree implements CgroupFs {
  readonly root: string;
  readonly writes: Array<{ path: string; value: string }> = [];
  /** Paths whose next writes fail with this code (EINVAL, EBUSY…). */
  readonly failures = new Map<string, string>();
  /** What read() returns for a path instead of its content (a clamping kernel). */
  readonly overrides = new Map<string, string>();
  /** Device programs attached (cgroup v2), in order. */
  readonly programs: Array<{ dir: string; program: Uint8Array }> = [];
  private readonly mounts: CgroupMount[];

  constructor(readonly fixture: CgroupFixture) {
    this.root = mkdtempSync(join(tmpdir(), 'conform-cgfake-'));
    this.mounts = parseCgroupMounts(fixture.mountinfo);
    for (const [mount, h] of Object.entries(fixture.hierarchies)) {
      mkdirSync(this.real(mount), { recursive: true });
      for (const [f, content] of Object.entries(h.root)) writeFileSync(this.real(posix.join(mount, f)), content ?? '');
    }
    // The recording process's own cgroups, so that lookups by pid find a directory.
    for (const e of parseProcCgroup(fixture.procSelfCgroup)) {
      const m =
        e.controllers.length === 0 ? this.mounts.find((x) => x.version === 2) : this.mounts.find((x) => e.controllers.every((c) => x.controllers.includes(c)));
      if (!m) continue;
      let cur = m.mountPoint;
      const parts = e.path.split('/').filter(Boolean);
      parts.forEach((part, i) => {
        cur = posix.join(cur, part);
        if (!this.exists(cur)) this.mkdir(cur);
        // As systemd does on v2: slices pass on every controller they have.
        if (m.version === 2 && i < parts.length - 1) {
          const controllers = this.read(posix.join(cur, 'cgroup.controllers')).trim();
          if (controllers)
            this.write(
              posix.join(cur, 'cgroup.subtree_control'),
              controllers
                .split(/\s+/)
                .map((c) => `+${c}`)
                .join(' '),
            );
        }
      });
    }
    mkdirSync(join(this.root, 'proc/self'), { recursive: true });
    writeFileSync(join(this.root, 'proc/self/cgroup'), fixture.procSelfCgroup);
    writeFileSync(join(this.root, 'proc/self/mountinfo'), fixture.mountinfo);
    this.writes.length = 0;
  }

  attachDeviceFilter(dir: string, program: Uint8Array): void {
    if (!this.exists(dir)) throw fsError('ENOENT', dir);
    this.programs.push({ dir, program });
  }

  host(): HostCgroups {
    return detectHost(this.fixture.mountinfo);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** The writes to files under `dir`, as [file relative to dir, value]. */
  writesUnder(dir: string): Array<[string, string]> {
    return this.writes.filter((w) => w.path.startsWith(`${dir}/`)).map((w) => [w.path.slice(dir.length + 1), w.value]);
  }

  /** Puts a process into a cgroup, as if it had been started there. */
  addProc(dir: string, pid: number): void {
    const file = this.real(posix.join(dir, 'cgroup.procs'));
    writeFileSync(file, readFileSync(file, 'utf8') + `${pid}\n`);
  }

  /** Takes a process out of a cgroup, as if it had exited. */
  removeProc(dir: string, pid: number): void {
    const file = this.real(posix.join(dir, 'cgroup.procs'));
    writeFileSync(file, readFileSync(file, 'utf8').replace(new RegExp(`^${pid}\\n`, 'm'), ''));
  }

  private real(path: string): string {
    return join(this.root, path);
  }

  private mountOf(path: string): CgroupMount {
    const m = this.mounts
      .filter((x) => path === x.mountPoint || path.startsWith(`${x.mountPoint}/`))
      .sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
    if (!m) throw fsError('ENOENT', `${path} is not in a cgroup hierarchy`);
    return m;
  }

  exists(path: string): boolean {
    return existsSync(this.real(path));
  }

  read(path: string): string {
    const o = this.overrides.get(path);
    if (o !== undefined) return o;
    if (!this.exists(path) || statSync(this.real(path)).isDirectory()) throw fsError('ENOENT', path);
    return readFileSync(this.real(path), 'utf8');
  }

  write(path: string, value: string): void {
    if (!this.exists(path) || statSync(this.real(path)).isDirectory()) throw fsError('ENOENT', `no such file ${path}`);
    const failure = this.failures.get(path);
    if (failure) throw fsError(failure, `writing ${path}`);
    this.writes.push({ path, value });
    const file = posix.basename(path);
    const dir = posix.dirname(path);
    const m = this.mountOf(path);
    switch (file) {
      case 'cgroup.procs':
      case 'tasks': {
        for (const d of this.walk(m.mountPoint)) {
          const procs = posix.join(d, 'cgroup.procs');
          const kept = readFileSync(this.real(procs), 'utf8')
            .split('\n')
            .filter((l) => l && l !== value.trim());
          writeFileSync(this.real(procs), kept.map((l) => `${l}\n`).join(''));
        }
        this.addProc(dir, Number(value));
        return;
      }
      case 'cgroup.subtree_control': {
        const available = this.read(posix.join(dir, 'cgroup.controllers')).split(/\s+/).filter(Boolean);
        const enabled = new Set(this.read(path).split(/\s+/).filter(Boolean));
        for (const tok of value.split(/\s+/).filter(Boolean)) {
          const c = tok.slice(1);
          if (!available.includes(c)) throw fsError('ENOENT', `controller ${c} not available in ${dir}`);
          if (tok.startsWith('+')) enabled.add(c);
          else enabled.delete(c);
        }
        writeFileSync(this.real(path), [...enabled].join(' ') + '\n');
        for (const child of this.children(dir)) this.populateV2(posix.join(dir, child));
        return;
      }
      case 'cgroup.kill':
        writeFileSync(this.real(posix.join(dir, 'cgroup.procs')), '');
        return;
      case 'devices.allow':
      case 'devices.deny':
        return; // write-only
      case 'cgroup.freeze':
        writeFileSync(this.real(path), `${value}\n`);
        writeFileSync(this.real(posix.join(dir, 'cgroup.events')), `populated 0\nfrozen ${value.trim()}\n`);
        return;
      default:
        writeFileSync(this.real(path), `${value}\n`);
    }
  }

  mkdir(path: string): void {
    if (this.exists(path)) throw fsError('EEXIST', path);
    if (!this.exists(posix.dirname(path))) throw fsError('ENOENT', posix.dirname(path));
    const m = this.mountOf(path);
    mkdirSync(this.real(path));
    if (m.version === 1) {
      for (const [f, content] of Object.entries(this.fixture.hierarchies[m.mountPoint]!.child)) writeFileSync(this.real(posix.join(path, f)), content ?? '');
    } else this.populateV2(path);
  }

  /** Creates the v2 files a child has given its parent's subtree_control, keeping what is there. */
  private populateV2(path: string): void {
    const m = this.mountOf(path);
    const parentControl = this.read(posix.join(posix.dirname(path), 'cgroup.subtree_control')).trim();
    const enabled = parentControl.split(/\s+/).filter(Boolean);
    for (const [f, content] of Object.entries(this.fixture.hierarchies[m.mountPoint]!.child)) {
      const prefix = f.slice(0, f.indexOf('.'));
      if (prefix !== 'cgroup' && !V2_CORE.has(f) && !enabled.includes(prefix)) continue;
      if (!this.exists(posix.join(path, f))) writeFileSync(this.real(posix.join(path, f)), content ?? '');
    }
    writeFileSync(this.real(posix.join(path, 'cgroup.controllers')), enabled.join(' ') + '\n');
  }

  /** Every rmdir asked for, in order (those that failed too). */
  readonly rmdirs: string[] = [];

  rmdir(path: string): void {
    this.rmdirs.push(path);
    if (!this.exists(path)) throw fsError('ENOENT', path);
    const failure = this.failures.get(path);
    if (failure) throw fsError(failure, `rmdir ${path}`);
    if (this.children(path).length > 0) throw fsError('EBUSY', `${path} has child cgroups`);
    if (this.read(posix.join(path, 'cgroup.procs')).trim() !== '') throw fsError('EBUSY', `${path} has processes`);
    rmSync(this.real(path), { recursive: true });
  }

  children(path: string): string[] {
    return readdirSync(this.real(path), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }

  private walk(dir: string): string[] {
    return [dir, ...this.children(dir).flatMap((c) => this.walk(posix.join(dir, c)))];
  }

  /** Every directory under the mount points, relative paths, for "nothing left" checks. */
  allDirs(): string[] {
    return this.mounts.flatMap((m) => this.walk(m.mountPoint));
  }
}
