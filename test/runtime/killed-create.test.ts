// Root-only. A `create` killed midway (SIGKILL: a caller's timeout, an OOM kill) has
// made cgroups and started the init; its state records them before they are made, so
// that `delete --force` removes them, and reports failure rather than success when it
// cannot.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../runtime/commands/spec.js';
import { isAlive } from '../../runtime/proc.js';
import { makeBusyboxRootfs } from '../helpers/busybox-rootfs.js';
import { cannotRunContainers } from '../helpers/runtime-cli.js';

const repo = join(import.meta.dirname, '../..');
const bin = join(repo, 'bin/conform-runtime.js');
const canRun = cannotRunContainers() === undefined;

let dir: string;
let root: string;

const rt = (args: string[]) =>
  spawnSync(process.execPath, [bin, '--root', root, ...args], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });

async function until(what: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The container's cgroup directories under the runtime's default parent, in every hierarchy. */
const cgroupsOf = (id: string): string[] =>
  readdirSync('/sys/fs/cgroup')
    .map((h) => join('/sys/fs/cgroup', h, 'conform', id))
    .filter((d) => existsSync(d));

describe.skipIf(!canRun)('a create killed midway (root)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'killed-create-'));
    chmodSync(dir, 0o755);
    root = join(dir, 'state');
    makeBusyboxRootfs(join(dir, 'rootfs'));
  });
  afterAll(() => {
    for (const id of existsSync(root) ? readdirSync(root) : []) rt(['delete', '--force', id]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves a state that delete --force cleans up: the init, every cgroup, the state', async () => {
    const marker = join(dir, 'hook-ran');
    const hook = join(dir, 'hook.sh');
    // The createContainer hook runs in the init, once the cgroups and the mounts exist: it
    // says so, then blocks, and the init with it.
    writeFileSync(hook, `#!/bin/sh\necho $$ > ${marker}\nexec sleep 1000\n`);
    chmodSync(hook, 0o755);
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    const c = defaultConfig() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a config edited by hand
    c.root = { path: join(dir, 'rootfs'), readonly: true };
    c.process.args = ['true'];
    c.hooks = { createContainer: [{ path: hook }] };
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(c));

    const create = spawn(process.execPath, [bin, '--root', root, 'create', '--bundle', bundle, 'k1'], { stdio: 'ignore' });
    await until(() => existsSync(marker) && readFileSync(marker, 'utf8').trim() !== '');
    const made = cgroupsOf('k1');
    expect(made.length).toBeGreaterThan(0);
    // The hook's `$$` is a pid in the container's pid namespace: the host's pids of the
    // init and the hook are those in the container's cgroup.
    const inCgroup = [...new Set(made.flatMap((d) => readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)))];
    expect(inCgroup.length).toBeGreaterThanOrEqual(2);
    const recorded = JSON.parse(readFileSync(join(root, 'k1/state.json'), 'utf8')) as { pid?: number; pidStartTime?: string; cgroup?: { created: string[] } };
    expect(recorded.pid).toBeGreaterThan(0);
    expect(recorded.cgroup?.created).toEqual(expect.arrayContaining(made));

    create.kill('SIGKILL');
    await new Promise((r) => create.once('exit', r));

    expect((JSON.parse(rt(['state', 'k1']).stdout) as { status: string }).status).toBe('stopped');
    expect(isAlive(recorded.pid!, recorded.pidStartTime)).toBe(true); // the init waits for its hook
    const del = rt(['delete', '--force', 'k1']);
    expect(del.stderr).toBe('');
    expect(del.status).toBe(0);
    expect(isAlive(recorded.pid!, recorded.pidStartTime)).toBe(false);
    expect(inCgroup.filter((pid) => isAlive(pid, undefined))).toEqual([]); // the hook too
    expect(cgroupsOf('k1')).toEqual([]);
    expect(existsSync(join(root, 'k1'))).toBe(false);
  });

  it('delete --force of a directory a create left before writing any state removes it', () => {
    mkdirSync(join(root, 'k2'), { recursive: true });
    expect(rt(['delete', '--force', 'k2']).status).toBe(0);
    expect(existsSync(join(root, 'k2'))).toBe(false);
    mkdirSync(join(root, 'k3'));
    const del = rt(['delete', 'k3']);
    expect(del.status).toBe(1);
    expect(del.stderr).toMatch(/container k3 does not exist/);
    expect(existsSync(join(root, 'k3'))).toBe(false);
  });
});
