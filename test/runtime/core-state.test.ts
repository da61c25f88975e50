import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStat, readStat } from '../../runtime/proc.js';
import { checkId, StateStore, type StoredState } from '../../runtime/state/store.js';
import { FakeSyscalls } from '../../runtime/syscalls-fake.js';

describe('container ids', () => {
  it('accepts runc-style ids', () => expect(checkId('c1_a-b.c+d')).toBe('c1_a-b.c+d'));
  it('refuses empty, path-like or odd ids', () => {
    for (const bad of ['', '.', '..', 'a/b', 'a b', '../x']) expect(() => checkId(bad)).toThrow();
  });
});

describe('parseStat', () => {
  it('reads state, ppid and start time even with spaces and parens in the name', () => {
    const text = '42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 10 0';
    expect(parseStat(text)).toEqual({ state: 'S', ppid: 1, startTime: '123456' });
  });
  it('reads our own process', () => expect(readStat(process.pid)?.state).toMatch(/[RS]/));
});

describe('StateStore', () => {
  let root: string;
  let store: StateStore;
  const sys = new FakeSyscalls();
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'core-state-'));
    store = new StateStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const me = readStat(process.pid)!;
  const base = (id: string): StoredState => ({ ociVersion: '1.3.0', id, bundle: '/b' });

  it('refuses a duplicate id', () => {
    store.createDir('c1', sys).release();
    expect(() => store.createDir('c1', sys)).toThrow('container c1 already exists');
  });

  it('locks with flock on the directory', () => {
    const calls = new FakeSyscalls();
    store.createDir('c1', calls).release();
    expect(calls.calls).toEqual([{ name: 'flock', args: [expect.any(Number), 2] }]);
    expect(() => store.lock('nope', calls)).toThrow('container nope does not exist');
  });

  it('writes atomically and leaves no temp file', () => {
    store.createDir('c1', sys).release();
    store.write({ ...base('c1'), pid: 1 });
    store.write({ ...base('c1'), pid: 2 });
    expect(store.read('c1').pid).toBe(2);
    expect(readdirSync(store.dir('c1'))).toEqual(['state.json']);
  });

  it('derives the status from the init and exec.fifo', () => {
    store.createDir('c1', sys).release();
    const s: StoredState = { ...base('c1'), pid: process.pid, pidStartTime: me.startTime, created: '2026-01-01T00:00:00Z' };
    writeFileSync(store.fifoPath('c1'), '');
    expect(store.status(s)).toBe('created');
    rmSync(store.fifoPath('c1'));
    expect(store.status(s)).toBe('running');
    expect(store.status({ ...s, pidStartTime: '1' })).toBe('stopped'); // a reused pid is not the init
    expect(store.status({ ...s, pid: 2 ** 22 + 1 })).toBe('stopped');
    expect(store.status({ ...base('c1'), creator: { pid: process.pid, startTime: me.startTime } })).toBe('creating');
    expect(store.status({ ...base('c1'), creator: { pid: process.pid, startTime: '1' } })).toBe('stopped');
  });

  it('a create that did not finish is creating while it runs, then stopped, though its init lives', () => {
    // create records the init's pid as soon as it knows it, so that delete finds it after a killed create.
    const s: StoredState = { ...base('c1'), pid: process.pid, pidStartTime: me.startTime, creator: { pid: process.pid, startTime: me.startTime } };
    expect(store.status(s)).toBe('creating');
    expect(store.status({ ...s, creator: { pid: process.pid, startTime: '1' } })).toBe('stopped');
  });

  it('refuses an id too long to name a directory, saying so', () => {
    expect(() => checkId('a'.repeat(256))).toThrow(/at most 255 characters/);
    expect(checkId('a'.repeat(255))).toHaveLength(255);
  });

  it('reports the spec state: pid only while created or running', () => {
    const s: StoredState = { ...base('c1'), pid: 7, annotations: { a: 'b' } };
    expect(store.ociState(s, 'running')).toEqual({ ociVersion: '1.3.0', id: 'c1', status: 'running', pid: 7, bundle: '/b', annotations: { a: 'b' } });
    expect(store.ociState(s, 'stopped').pid).toBeUndefined();
    expect(store.ociState({ ...s, annotations: {} }, 'stopped').annotations).toBeUndefined();
  });

  it('lists and removes', () => {
    store.createDir('b', sys).release();
    store.write(base('b'));
    store.createDir('a', sys).release();
    store.write(base('a'));
    expect(store.list()).toEqual(['a', 'b']);
    store.remove('a');
    expect(existsSync(store.dir('a'))).toBe(false);
    expect(() => store.read('a')).toThrow('container a does not exist');
  });

  it('removes a container directory without following a symlink in it or in its place', () => {
    // What a host uid that owns scratch/ could plant, or swap in between a readdir and the descent.
    const outside = mkdtempSync(join(tmpdir(), 'core-state-outside-'));
    try {
      writeFileSync(join(outside, 'precious'), 'x');
      store.createDir('c', sys).release();
      store.write(base('c'));
      mkdirSync(join(store.dir('c'), 'scratch', 'deep'), { recursive: true });
      writeFileSync(join(store.dir('c'), 'scratch', 'deep', 'f'), 'x');
      symlinkSync(outside, join(store.dir('c'), 'scratch', 'link'));
      store.remove('c');
      expect(existsSync(store.dir('c'))).toBe(false);
      // The container directory itself a link to another directory: the link goes, not what it points at.
      symlinkSync(outside, join(root, 'd'));
      store.remove('d');
      expect(existsSync(join(root, 'd'))).toBe(false);
      expect(readdirSync(outside)).toEqual(['precious']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
