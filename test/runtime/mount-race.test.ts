// Root-only. The CVE-2021-30465 race against the reference runtime: while `create`
// works, rootfs/race is swapped over and over (renameat2 RENAME_EXCHANGE) between a
// directory and a symlink to the rootfs's /etc by its host path. Resolved inside the
// rootfs, that symlink names <rootfs>/<rootfs>/etc; followed on the host, the rootfs's
// own /etc. A tmpfs mount at /race, a masked /race, a read-only /race and a device
// node under /race must never land on the container's /etc, and nothing on the host.
// Bounded in tries and time; no timing is asserted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../runtime/commands/spec.js';
import { makeBusyboxRootfs } from '../helpers/busybox-rootfs.js';
import { cannotRunContainers } from '../helpers/runtime-cli.js';

const repo = join(import.meta.dirname, '../..');
/** RACE_RUNTIME=/usr/bin/runc (or another checkout's bin/conform-runtime.js) runs the same race against it. */
const runtime = process.env.RACE_RUNTIME ?? join(repo, 'bin/conform-runtime.js');
const command = (args: string[]): [string, string[]] => (runtime.endsWith('.js') ? [process.execPath, [runtime, ...args]] : [runtime, args]);
const canRun = cannotRunContainers() === undefined;

const MAX_TRIES = 48;
const MAX_MS = 120_000;

let dir: string;
let root: string;
let rootfs: string;
let swapper: ChildProcess | undefined;

type Kind = 'mount' | 'masked' | 'readonly' | 'device';
const KINDS: Kind[] = ['mount', 'masked', 'readonly', 'device'];

function bundleFor(kind: Kind): string {
  const b = join(dir, `bundle-${kind}`);
  mkdirSync(b, { recursive: true });
  // any: a config built by hand.
  const c = defaultConfig() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  c.root = { path: rootfs, readonly: false };
  c.process.args = ['sleep', '100'];
  if (kind === 'mount') c.mounts.push({ destination: '/race', type: 'tmpfs', source: 'racetmpfs' });
  if (kind === 'masked') c.linux.maskedPaths = ['/race'];
  if (kind === 'readonly') c.linux.readonlyPaths = ['/race'];
  if (kind === 'device') c.linux.devices = [{ path: '/race/null2', type: 'c', major: 1, minor: 3 }];
  writeFileSync(join(b, 'config.json'), JSON.stringify(c));
  return b;
}

/** One runtime call; stderr to a file, since create hands its stdio to the container, which keeps a pipe open. */
function rt(args: string[]): { code: number | null; stderr: string } {
  const errFile = join(dir, 'call.err');
  const fd = openSync(errFile, 'w');
  try {
    const r = spawnSync(...command(['--root', root, ...args]), { timeout: 60_000, stdio: ['ignore', 'ignore', fd] });
    return { code: r.status, stderr: readFileSync(errFile, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

/** The container's mount points (its own view, after pivot_root). */
function mountPoints(pid: number): string[] {
  return readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]!);
}

describe.skipIf(!canRun)('mount destinations resolved inside the rootfs while it changes (CVE-2021-30465 race, root)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mount-race-'));
    chmodSync(dir, 0o755);
    root = join(dir, 'state');
    rootfs = join(dir, 'rootfs');
    makeBusyboxRootfs(rootfs);
    mkdirSync(join(rootfs, 'etc'));
    writeFileSync(join(rootfs, 'etc/marker'), "the container's own /etc\n");
    mkdirSync(join(rootfs, 'race'));
    symlinkSync(join(rootfs, 'etc'), join(rootfs, 'race-link'));
    swapper = spawn(process.execPath, [join(repo, 'test/helpers/swapper.mjs'), join(rootfs, 'race'), join(rootfs, 'race-link')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      swapper!.stdout!.once('data', () => resolve());
      swapper!.once('exit', (code) => reject(new Error(`the swapper exited (${code})`)));
    });
  }, 60_000);

  afterAll(() => {
    swapper?.kill('SIGKILL');
    if (!dir) return;
    for (const kind of KINDS) rt(['delete', '--force', `race-${kind}`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    "never lands on the container's /etc, nor on the host",
    () => {
      const bundles = Object.fromEntries(KINDS.map((k) => [k, bundleFor(k)])) as Record<Kind, string>;
      const hostMounts = readFileSync('/proc/self/mountinfo', 'utf8');
      const tally = { tries: 0, created: 0, refused: 0, escapes: [] as string[] };
      const end = Date.now() + MAX_MS;
      for (let i = 0; i < MAX_TRIES && Date.now() < end; i++) {
        const kind = KINDS[i % KINDS.length]!;
        const id = `race-${kind}`;
        tally.tries++;
        const c = rt(['create', '--bundle', bundles[kind], id]);
        if (c.code !== 0) {
          tally.refused++;
          expect(c.stderr.trim().split('\n'), c.stderr).toHaveLength(1);
          continue;
        }
        tally.created++;
        const state = JSON.parse(spawnSync(...command(['--root', root, 'state', id]), { encoding: 'utf8' }).stdout) as { pid: number };
        const points = mountPoints(state.pid);
        if (points.includes('/etc')) tally.escapes.push(`${kind}: a mount on the container's /etc`);
        if (existsSync(join(rootfs, 'etc/null2'))) {
          tally.escapes.push(`${kind}: a device node in the container's /etc`);
          rmSync(join(rootfs, 'etc/null2'));
        }
        expect(rt(['delete', '--force', id]).code).toBe(0);
      }
      // The host: no mount of ours appeared, whatever happened in between.
      expect(
        readFileSync('/proc/self/mountinfo', 'utf8')
          .split('\n')
          .filter((l) => l.includes(dir)),
      ).toEqual(hostMounts.split('\n').filter((l) => l.includes(dir)));
      console.log(`mount race (${runtime}): ${tally.tries} tries, ${tally.created} created, ${tally.refused} refused, ${tally.escapes.length} escapes`);
      expect(tally.escapes).toEqual([]);
      expect(tally.created).toBeGreaterThan(0);
    },
    MAX_MS + 120_000,
  );
});
