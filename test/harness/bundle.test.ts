import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BundleBuilder, defaultConfig, probeArgs, stringifyConfig } from '../../harness/case/bundle.js';
import { deletePath, formatPath, getPath, parsePath, setPath } from '../../harness/case/jsonpath.js';
import { validateConfigRules, validateConfigText } from '../../schemas/validate.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'conform-bundle-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('default config', () => {
  it('is valid with no warning at all', () => {
    expect(validateConfigRules(defaultConfig())).toEqual([]);
  });

  it('is non-terminal and runs the probe', () => {
    const c = defaultConfig();
    expect(c.process?.terminal).toBe(false);
    expect(c.process?.args).toEqual(['/bin/sh', '/conform/probe']);
  });
});

describe('BundleBuilder', () => {
  it('edits land where the spec puts them', () => {
    const b = new BundleBuilder('/b', '/f')
      .user({ uid: 1, gid: 2, additionalGids: [3] })
      .rlimit('RLIMIT_CORE', 1, 2)
      .rlimit('RLIMIT_NOFILE', 10, 20)
      .namespace('user')
      .namespace('network', '/proc/1/ns/net')
      .withoutNamespace('ipc')
      .hook('poststop', { path: '/bin/true' })
      .annotation('org.example.k', 'v')
      .sysctl('net.ipv4.ip_forward', '1')
      .mount({ destination: '/m', type: 'tmpfs', source: 'tmpfs' })
      .setEnv('PATH', '/x');
    const c = b.config;
    expect(c.process?.user).toEqual({ uid: 1, gid: 2, additionalGids: [3] });
    expect(c.process?.rlimits).toEqual([
      { type: 'RLIMIT_CORE', soft: 1, hard: 2 },
      { type: 'RLIMIT_NOFILE', soft: 10, hard: 20 },
    ]);
    expect(c.linux?.namespaces?.map((n) => n.type)).toEqual(['pid', 'uts', 'mount', 'user', 'network']);
    expect(c.linux?.namespaces?.find((n) => n.type === 'network')?.path).toBe('/proc/1/ns/net');
    expect(c.hooks?.poststop).toEqual([{ path: '/bin/true' }]);
    expect(c.annotations).toEqual({ 'org.example.k': 'v' });
    expect(c.linux?.sysctl).toEqual({ 'net.ipv4.ip_forward': '1' });
    expect(c.mounts?.at(-1)?.destination).toBe('/m');
    expect(c.process?.env).toEqual(['TERM=xterm', 'PATH=/x']);
  });

  it("probe options become the probe's arguments", () => {
    expect(probeArgs({ only: ['status', 'limits'], cmds: { w: 'echo x' }, hold: true, extra: ['a b', ''] })).toEqual([
      '/bin/sh',
      '/conform/probe',
      '--only',
      'status,limits',
      '--cmd',
      'w',
      'echo x',
      '--hold',
      '--',
      'a b',
      '',
    ]);
  });

  it('writes config.json and files with their modes', () => {
    const d = tmp();
    const b = new BundleBuilder(join(d, 'bundle'), join(d, 'files'));
    b.file('/etc/x', 'hello', 0o600).mkdir('/data', 0o1777);
    const hook = b.hostScript('hook.sh', 'echo hi');
    b.writeFiles();
    expect(JSON.parse(readFileSync(join(d, 'bundle/config.json'), 'utf8'))).toEqual(b.config);
    expect(statSync(join(d, 'bundle/rootfs/etc/x')).mode & 0o7777).toBe(0o600);
    expect(statSync(join(d, 'bundle/rootfs/data')).mode & 0o7777).toBe(0o1777);
    expect(hook).toBe(join(d, 'files/hook.sh'));
    expect(readFileSync(hook, 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(statSync(hook).mode & 0o777).toBe(0o755);
  });

  it('writes rootfs files under an absolute root.path as it is, not below the bundle', () => {
    const d = tmp();
    mkdirSync(join(d, 'bundle'));
    const b = new BundleBuilder(join(d, 'bundle'), join(d, 'files'));
    b.set('root.path', join(d, 'files/abs-root')).file('/marker', 'm');
    b.writeFiles();
    expect(readFileSync(join(d, 'files/abs-root/marker'), 'utf8')).toBe('m');
  });

  it('writes integers beyond 2^53 digit for digit, and the validator sees them right', () => {
    const b = new BundleBuilder('/b', '/f').rlimit('RLIMIT_NOFILE', 18446744073709551615n, 18446744073709551615n);
    const text = stringifyConfig(b.config);
    expect(text).toContain('"soft": 18446744073709551615');
    expect(validateConfigText(text).problems.filter((p) => p.level === 'error')).toEqual([]);
    // What JSON.stringify would have written is out of uint64 range: the validator must catch it.
    const rounded = text.replace(/18446744073709551615/g, '18446744073709552000');
    expect(validateConfigText(rounded).problems.some((p) => p.level === 'error')).toBe(true);
  });
});

describe('jsonpath', () => {
  it('parses and formats dotted paths with indexes and quoted keys', () => {
    expect(parsePath('linux.namespaces[2].path')).toEqual(['linux', 'namespaces', 2, 'path']);
    expect(parsePath('annotations["com.example.k"]')).toEqual(['annotations', 'com.example.k']);
    expect(formatPath(['annotations', 'com.example.k', 0])).toBe('annotations["com.example.k"][0]');
  });

  it('gets, sets (creating the way) and deletes (splicing arrays)', () => {
    const o: Record<string, unknown> = {};
    setPath(o, 'a.b[0].c', 1);
    expect(o).toEqual({ a: { b: [{ c: 1 }] } });
    expect(getPath(o, 'a.b[0].c')).toBe(1);
    expect(getPath(o, 'a.x.y')).toBeUndefined();
    const arr = { xs: [1, 2, 3] };
    expect(deletePath(arr, 'xs[1]')).toBe(true);
    expect(arr.xs).toEqual([1, 3]);
    expect(deletePath(arr, 'nope.deeper')).toBe(false);
  });
});
