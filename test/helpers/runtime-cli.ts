// The reference runtime driven as an engine drives it, for root-only tests: a busybox
// rootfs in a temp dir, bundles made by `conform-runtime spec`, one call at a time.
import { spawnSync, type StdioOptions } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceRuntime, repoRoot } from '../../harness/paths.js';

export const runtimeBin = referenceRuntime;

/** Why root-only runtime tests cannot run here, or undefined when they can. */
export function cannotRunContainers(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(join(repoRoot, 'dist/runtime.cjs')) || !existsSync(join(repoRoot, 'dist/nsexec'))) return 'needs npm run build';
  if (!existsSync('/bin/busybox')) return 'needs busybox-static (/bin/busybox)';
  return undefined;
}

export interface CallResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A busybox rootfs with its applets linked, and /etc/passwd for root. */
export function busyboxRootfs(dir: string): string {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  mkdirSync(join(rootfs, 'etc'));
  mkdirSync(join(rootfs, 'tmp'));
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const app of spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).stdout.split('\n')) {
    if (app && app !== 'busybox') symlinkSync('busybox', join(rootfs, 'bin', app));
  }
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  return rootfs;
}

export class RuntimeCli {
  readonly dir: string;
  readonly root: string;
  readonly rootfs: string;
  private calls = 0;

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    chmodSync(this.dir, 0o755);
    this.root = join(this.dir, 'state');
    this.rootfs = busyboxRootfs(this.dir);
  }

  /**
   * One call. `create`/`run` hand their stdio to the container, so their output goes
   * to files (a pipe would stay open as long as the container runs). `fds` become the
   * call's fds 3, 4, … (for --preserve-fds).
   */
  call(args: string[], o: { globals?: string[]; input?: string; fds?: number[] } = {}): CallResult {
    const toFiles = args[0] === 'create' || args[0] === 'run';
    const n = ++this.calls;
    const files = toFiles ? [openSync(join(this.dir, `call-${n}.out`), 'w+'), openSync(join(this.dir, `call-${n}.err`), 'w+')] : [];
    const stdio: StdioOptions = [o.input !== undefined ? 'pipe' : 'ignore', files[0] ?? 'pipe', files[1] ?? 'pipe', ...(o.fds ?? [])];
    try {
      const r = spawnSync(process.execPath, [runtimeBin, '--root', this.root, ...(o.globals ?? []), ...args], {
        encoding: 'utf8',
        timeout: 30_000,
        stdio,
        input: o.input,
      });
      if (toFiles)
        return { code: r.status, stdout: readFileSync(join(this.dir, `call-${n}.out`), 'utf8'), stderr: readFileSync(join(this.dir, `call-${n}.err`), 'utf8') };
      return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    } finally {
      for (const fd of files) closeSync(fd);
    }
  }

  /** A bundle whose config.json is `spec`'s default with this rootfs, edited. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit any part of the config
  bundle(name: string, edit: (c: Record<string, any>) => void = () => {}): string {
    const b = join(this.dir, name);
    mkdirSync(b);
    const r = spawnSync(process.execPath, [runtimeBin, 'spec', '--bundle', b], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`spec failed: ${r.stderr}`);
    const c = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8'));
    c.root = { path: this.rootfs, readonly: true };
    delete c.linux.resources;
    edit(c);
    writeFileSync(join(b, 'config.json'), JSON.stringify(c));
    return b;
  }

  status(id: string): string {
    const r = this.call(['state', id]);
    return r.code === 0 ? (JSON.parse(r.stdout) as { status: string }).status : 'absent';
  }

  /** The container's saved state (state.json), for its cgroup directories. */
  stored(id: string): { pid: number; cgroup: { dirs: Array<{ version: 1 | 2; controllers: string[]; dir: string }> } } {
    return JSON.parse(readFileSync(join(this.root, id, 'state.json'), 'utf8'));
  }

  /** The directory of `controller` (v1) or the unified one (v2 hosts). */
  cgroupDir(id: string, controller: string): string | undefined {
    const dirs = this.stored(id).cgroup.dirs;
    return (
      dirs.find((d) => d.version === 1 && d.controllers.includes(controller))?.dir ??
      dirs.find((d) => d.version === 2 && existsSync(join(d.dir, `${controller}.max`)))?.dir
    );
  }

  cleanUp(): void {
    for (const id of existsSync(this.root) ? readdirSync(this.root) : []) this.call(['delete', '--force', id]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function until(what: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
