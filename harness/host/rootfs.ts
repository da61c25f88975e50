// The container's root filesystem: the host's static busybox with its applets
// linked, our probe, and a few /etc files. Built once per content hash into a
// cache directory, then copied into each case's bundle.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { probeScript, repoRoot } from '../paths.js';
import { SetupError } from '../errors.js';
import type { Service } from './services.js';

/** Bump when the layout below changes, so old caches are not reused. */
const LAYOUT = 3;

export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nconform:x:1000:1000:conform:/home/conform:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\ntty:x:5:\nconform:x:1000:\nnogroup:x:65534:\n';

export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'conform');
}

/** True when an ELF executable has no program interpreter (it is statically linked). */
export function isStaticElf(file: string): boolean {
  const b = readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return false; // ELF64, little-endian
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const type = b.readUInt32LE(phoff + i * phentsize);
    if (type === 3) return false; // PT_INTERP
  }
  return true;
}

export function findBusybox(): string {
  const found = BUSYBOX_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new SetupError('busybox not found: install it with `apt-get install -y busybox-static`');
  if (!isStaticElf(found)) {
    throw new SetupError(`${found} is dynamically linked and cannot run in a bare rootfs: install \`busybox-static\` (apt-get install -y busybox-static)`);
  }
  return found;
}

function applets(busybox: string): string[] {
  return execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[\w.[-]+$/.test(s) && s !== 'busybox');
}

/**
 * Puts a cache entry built in `tmp` in place as `dir`, marked complete (an entry without
 * the mark is never used). When another conform published the same entry meanwhile,
 * theirs is as good as ours and ours goes.
 */
export function publishCached(tmp: string, dir: string, hash: string): void {
  writeFileSync(join(tmp, '.conform-complete'), `${hash}\n`);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    if (!existsSync(join(dir, '.conform-complete'))) throw e;
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Returns the cached rootfs directory, building it first when needed. */
export function ensureRootfs(cacheDir = defaultCacheDir()): string {
  const busybox = findBusybox();
  const hash = createHash('sha256').update(`layout ${LAYOUT}\n`).update(readFileSync(busybox)).update(readFileSync(probeScript)).digest('hex').slice(0, 16);
  const dir = join(cacheDir, `rootfs-${hash}`);
  if (existsSync(join(dir, '.conform-complete'))) return dir;

  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const d of ['bin', 'dev', 'proc', 'sys', 'etc', 'root', 'home/conform', 'run', 'var', 'mnt', 'conform']) mkdirSync(join(tmp, d), { recursive: true });
    mkdirSync(join(tmp, 'tmp'));
    chmodSync(join(tmp, 'tmp'), 0o1777);
    chmodSync(join(tmp, 'root'), 0o700);
    copyFileSync(busybox, join(tmp, 'bin/busybox'));
    chmodSync(join(tmp, 'bin/busybox'), 0o755);
    for (const a of applets(busybox)) symlinkSync('busybox', join(tmp, 'bin', a));
    // One directory for every conventional PATH entry.
    for (const d of ['sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'usr/local/sbin']) {
      mkdirSync(join(tmp, d, '..'), { recursive: true });
      symlinkSync(d.startsWith('usr/local') ? '../../bin' : d.startsWith('usr') ? '../bin' : 'bin', join(tmp, d));
    }
    writeFileSync(join(tmp, 'etc/passwd'), PASSWD);
    writeFileSync(join(tmp, 'etc/group'), GROUP);
    copyFileSync(probeScript, join(tmp, 'conform/probe'));
    chmodSync(join(tmp, 'conform/probe'), 0o755);
    publishCached(tmp, dir, hash);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

/**
 * Copies a rootfs keeping modes and symlinks (and nothing of the cache's bookkeeping), with
 * cp(1) in a process of its own: made entry by entry on the event loop, its ~400 symlinks
 * held every job up for 100-300 ms on this VM's ext4.
 */
export async function copyTree(src: string, dest: string): Promise<void> {
  const code = await exitCode('cp', ['-aT', '--', src, dest]);
  if (code !== 0) throw new Error(`cp -aT ${src} ${dest} failed (${code === null ? 'could not run' : `exit ${code}`})`);
  rmSync(join(dest, '.conform-complete'), { force: true });
}

/**
 * Gives a bundle its own rootfs at `target`: an overlay mount whose lower layer is the
 * cached rootfs and whose upper layer is in `scratch` (one mount instead of copying
 * ~300 entries: 5 ms rather than ~200 ms on this kind of disk), or a plain copy where
 * overlayfs is not available (e.g. a work directory that is itself on overlayfs).
 * Returns the mount point to unmount at cleanup, if it mounted one. mount(8) runs
 * asynchronously: the other cases' events go on meanwhile (with --jobs N, a synchronous
 * child blocked them all).
 */
export async function provideRootfs(
  cached: string,
  target: string,
  scratch: string,
  opts: { copy?: boolean; mounter?: Mounter } = {},
): Promise<string | undefined> {
  if (!opts.copy) {
    const [upper, work] = [join(scratch, 'upper'), join(scratch, 'work')];
    mkdirSync(upper, { recursive: true });
    mkdirSync(work, { recursive: true });
    mkdirSync(target, { recursive: true });
    const helped = await opts.mounter?.mount(cached, upper, work, target);
    if (helped === 0) return target;
    if (
      helped === undefined &&
      (await exitCode('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${cached},upperdir=${upper},workdir=${work}`, target])) === 0
    )
      return target;
    rmSync(target, { recursive: true, force: true });
  }
  await copyTree(cached, target);
  return undefined;
}

/** Unmounts what provideRootfs mounted (lazily if something still holds it). */
export async function releaseRootfs(mountPoint: string, mounter?: Mounter): Promise<void> {
  if ((await mounter?.umount(mountPoint)) === 0) return;
  if ((await exitCode('umount', [mountPoint])) !== 0) await exitCode('umount', ['-l', mountPoint]);
}

/** Where the build puts harness/native/mounter.c. */
export const mounterPath = join(repoRoot, 'dist', 'mounter');

/**
 * The run's mount helper (harness/native/mounter.c), a service of the run: the cases'
 * overlays are mounted and unmounted by one process over a pipe, two syscalls a case
 * instead of a mount(8) and an umount(8) process (~20 ms each on a small VM). Answers
 * come in the order of the requests. When the helper is not there or has ended, a
 * request answers undefined and the caller runs mount(8) as before.
 */
export class Mounter implements Service {
  private readonly waiting: ((errno: number | undefined) => void)[] = [];
  private pending = '';
  private ended = false;
  private readonly exited: Promise<void>;
  /** A tmpfs of the run's for the overlays' upper and work directories (Mounter.start), or none: the case directory holds them. */
  layers?: string;

  // In a session of its own, as the reaper server: a Ctrl-C at the terminal, or timeout(1)'s
  // SIGTERM to conform's process group, must leave it to unmount at cleanup (it ends
  // when conform closes its stdin, or dies).
  constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null> = spawn(mounterPath, [], { stdio: ['pipe', 'pipe', 'ignore'], detached: true }),
  ) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.pending += chunk;
      for (let nl = this.pending.indexOf('\n'); nl >= 0; nl = this.pending.indexOf('\n')) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.waiting.shift()?.(/^\d+$/.test(line) ? Number(line) : undefined);
      }
    });
    child.stdin.on('error', () => this.end());
    this.exited = new Promise((resolve) => {
      child.on('error', () => resolve(this.end()));
      child.on('close', () => resolve(this.end()));
    });
  }

  private end(): void {
    this.ended = true;
    for (const w of this.waiting.splice(0)) w(undefined);
  }

  private request(fields: string[]): Promise<number | undefined> {
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(fields.map((f) => `${f}\0`).join(''));
    });
  }

  /**
   * The run's mounter (started by the first case), with a tmpfs at `dir`/layers for the
   * overlays' upper and work directories: overlayfs tests its upper filesystem at every
   * mount (1.9 ms of kernel time on this VM's ext4, 0.06 ms on a tmpfs). Where the tmpfs
   * cannot be mounted, the layers go in the case directories.
   */
  static async start(dir: string): Promise<Mounter> {
    const m = new Mounter();
    const layers = join(dir, 'layers');
    mkdirSync(layers, { recursive: true });
    if ((await m.request(['tmpfs', layers])) === 0) m.layers = layers;
    return m;
  }

  /** An overlay of `lower` at `target`: 0, or the errno of the failure (undefined: no helper). */
  mount(lower: string, upper: string, work: string, target: string): Promise<number | undefined> {
    return this.request(['mount', lower, upper, work, target]);
  }

  /** Unmounts `target` (detached when busy): 0, or the errno (undefined: no helper). */
  umount(target: string): Promise<number | undefined> {
    return this.request(['umount', target]);
  }

  async stop(): Promise<string[]> {
    // Detached when busy: a case's overlay left mounted still holds its layers.
    if (this.layers) await this.umount(this.layers);
    this.child.stdin.end();
    await this.exited;
    return [];
  }
}

/** How a command ended: its exit code, or null (killed, or could not start). */
function exitCode(cmd: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', () => resolve(null));
    child.on('exit', (code) => resolve(code));
  });
}
