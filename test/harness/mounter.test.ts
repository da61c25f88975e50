// The run's mount helper (harness/native/mounter.c through harness/host/rootfs.ts): an
// overlay per case, mounted and unmounted over a pipe; mount(8) when the helper is gone.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Mounter, mounterPath, provideRootfs, releaseRootfs } from '../../harness/host/rootfs.js';
import { isRoot } from '../helpers/conform.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-mounter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mounted = (target: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === target);

function lower(): string {
  const l = join(dir, 'lower');
  if (!existsSync(l)) {
    mkdirSync(l);
    writeFileSync(join(l, 'file'), 'from the lower layer\n');
  }
  return l;
}

describe.skipIf(!isRoot || !existsSync(mounterPath))('Mounter (root, dist/mounter built)', () => {
  it('mounts an overlay the case can write to without touching the lower layer, and unmounts it', async () => {
    const m = new Mounter();
    const target = join(dir, 'a', 'rootfs');
    try {
      expect(await provideRootfs(lower(), target, join(dir, 'a', 'layers'), { mounter: m })).toBe(target);
      expect(mounted(target)).toBe(true);
      expect(readFileSync(join(target, 'file'), 'utf8')).toBe('from the lower layer\n');
      writeFileSync(join(target, 'file'), 'changed\n');
      expect(readFileSync(join(lower(), 'file'), 'utf8')).toBe('from the lower layer\n');
      await releaseRootfs(target, m);
      expect(mounted(target)).toBe(false);
    } finally {
      expect(await m.stop()).toEqual([]);
    }
  });

  it("started for a run, puts the overlays' layers on a tmpfs of its own and unmounts it at stop", async () => {
    const m = await Mounter.start(join(dir, 'site'));
    const layers = join(dir, 'site', 'layers');
    const target = join(dir, 'c', 'rootfs');
    try {
      expect(m.layers).toBe(layers);
      const line = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .find((l) => l.split(' ')[4] === layers);
      expect(line?.split(' - ')[1]?.split(' ')[0]).toBe('tmpfs');
      expect(await provideRootfs(lower(), target, join(layers, 'case', 'bundle'), { mounter: m })).toBe(target);
      writeFileSync(join(target, 'new'), 'written in the container\n');
      expect(readFileSync(join(layers, 'case', 'bundle', 'upper', 'new'), 'utf8')).toBe('written in the container\n');
      await releaseRootfs(target, m);
    } finally {
      expect(await m.stop()).toEqual([]);
    }
    expect(mounted(target)).toBe(false);
    expect(mounted(layers)).toBe(false);
  });

  it('answers with the errno of a failure, in the order of the requests', async () => {
    const m = new Mounter();
    try {
      const [a, b] = await Promise.all([m.umount(dir), m.mount(lower(), join(dir, 'no-upper'), join(dir, 'no-work'), join(dir, 'none'))]);
      expect(a).toBe(22); // EINVAL: not a mount point
      expect(b).toBe(2); // ENOENT
    } finally {
      await m.stop();
    }
  });

  it('a helper that is gone answers undefined, and provideRootfs falls back to mount(8)', async () => {
    const m = new Mounter(spawn('/nonexistent/mounter', [], { stdio: ['pipe', 'pipe', 'ignore'] }));
    expect(await m.umount(dir)).toBeUndefined();
    const target = join(dir, 'b', 'rootfs');
    expect(await provideRootfs(lower(), target, join(dir, 'b', 'layers'), { mounter: m })).toBe(target);
    expect(mounted(target)).toBe(true);
    await releaseRootfs(target, m);
    expect(mounted(target)).toBe(false);
    await m.stop();
  });
});
