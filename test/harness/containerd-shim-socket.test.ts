// Where containerd 1.6 puts a container's shim socket: conform removes the ones of shims it
// had to kill (harness/engines/containerd.ts), and only those, so the name must be the
// shim's own. The expected value was read from a running shim on containerd 1.6.20
// (Debian): `ctr --address /tmp/lead/ctrd/c.sock --namespace repro run -d … hashtest`
// made /run/containerd/s/eabbd609…, the sha256 of "<address>/<namespace>/<id>".
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settleShimDirs, shimSocket } from '../../harness/engines/containerd.js';

describe("containerd's shim socket", () => {
  it('is /run/containerd/s/<sha256 of address/namespace/id>, as the shim names it', () => {
    expect(shimSocket('/tmp/lead/ctrd/c.sock', 'repro', 'hashtest')).toBe('/run/containerd/s/eabbd6090b6b75a9ad1b57d56a78281f5a24d7c1ed0139e5187eb67cf55c12ae');
  });

  it('differs with the address, the namespace and the id', () => {
    const base = shimSocket('/a/c.sock', 'ns', 'id');
    expect(new Set([base, shimSocket('/b/c.sock', 'ns', 'id'), shimSocket('/a/c.sock', 'ns2', 'id'), shimSocket('/a/c.sock', 'ns', 'id2')]).size).toBe(4);
  });
});

describe("containerd's shim directories, when two runs overlap (settleShimDirs)", () => {
  // In a temporary tree: run/containerd{,/s,/fifo} as SHIM_DIRS, run/ for the claims.
  let root: string;
  let dirs: string[];
  const claims = () => readdirSync(join(root, 'run')).filter((n) => n.startsWith('conform-containerd-dirs-'));
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'conform-shimdirs-'));
    dirs = ['run/containerd/s', 'run/containerd/fifo', 'run/containerd'].map((d) => join(root, d));
    for (const d of dirs) mkdirSync(d, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const settle = (tag: string, mine: string[]) => settleShimDirs(tag, mine, { dirs, claims: join(root, 'run') });

  it('the run that made them removes them when they are empty, and claims nothing', () => {
    expect(settle('aaaaaa', dirs).sort()).toEqual([...dirs].sort());
    expect(claims()).toEqual([]);
  });

  it("one still used by another run's shim is claimed, and the next run's stop removes it", () => {
    const socket = join(dirs[0]!, 'abc');
    writeFileSync(socket, '');
    // Run A made them and stops first: s holds B's shim socket, so s and its parent stay.
    expect(settle('aaaaaa', dirs)).toEqual([dirs[1]]);
    expect(claims()).toEqual(['conform-containerd-dirs-aaaaaa']);
    // Run B did not make them; its shim is gone by its stop: A's claim lets it remove them.
    rmSync(socket);
    expect(settle('bbbbbb', []).sort()).toEqual([dirs[0], dirs[2]].sort());
    expect(claims()).toEqual([]);
    expect(existsSync(dirs[2]!)).toBe(false);
  });

  it('a run that made none and finds no claim removes nothing', () => {
    expect(settle('bbbbbb', [])).toEqual([]);
    expect(dirs.every((d) => existsSync(d))).toBe(true);
  });

  it("nothing while a containerd of the host's has its socket there, and the claims are dropped", () => {
    writeFileSync(join(root, 'run', 'conform-containerd-dirs-aaaaaa'), JSON.stringify([dirs[0]]));
    writeFileSync(join(dirs[2]!, 'containerd.sock'), '');
    expect(settle('bbbbbb', dirs)).toEqual([]);
    expect(dirs.every((d) => existsSync(d))).toBe(true);
    expect(claims()).toEqual([]);
  });

  it('a claim names only shim directories: anything else in it stays', () => {
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(root, 'run', 'conform-containerd-dirs-aaaaaa'), JSON.stringify([other, dirs[1]]));
    expect(settle('bbbbbb', [])).toEqual([dirs[1]]);
    expect(existsSync(other)).toBe(true);
  });
});
