import { describe, expect, it } from 'vitest';
import { guardNamespace, ownNamespaces, refuseHostChanges, sysctlFile, sysctlNamespace } from '../../runtime/config/host-safety.js';
import type { Config } from '../../runtime/config/validate.js';

const config = (over: Partial<Config> & { namespaces?: Array<{ type: string; path?: string }>; sysctl?: Record<string, string> } = {}): Config => {
  const { namespaces, sysctl, ...rest } = over;
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    ...rest,
    linux: { namespaces: (namespaces ?? [{ type: 'mount' }, { type: 'pid' }]) as NonNullable<Config['linux']>['namespaces'], ...(sysctl ? { sysctl } : {}) },
  } as Config;
};

/** The runtime's own namespaces are the paths under /proc/self/ns (a stand-in for the real comparison). */
const ours = (type: string, path: string): boolean => path.startsWith('/proc/self/ns/');
const refusal = (c: Config): string => {
  try {
    refuseHostChanges(c, ownNamespaces(c, ours));
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe("settings that would change the host need a namespace of the container's own (runc's rules)", () => {
  it("hostname and domainname need a uts namespace, new or joined, but not the runtime's", () => {
    expect(refusal(config({ hostname: 'h' }))).toMatch(/^config\.json: hostname needs a uts namespace of the container's own/);
    expect(refusal(config({ domainname: 'd' }))).toMatch(/^config\.json: domainname needs a uts namespace/);
    expect(refusal(config({ hostname: 'h', namespaces: [{ type: 'mount' }, { type: 'uts', path: '/proc/self/ns/uts' }] }))).toMatch(/hostname needs/);
    expect(refusal(config({ hostname: 'h', namespaces: [{ type: 'mount' }, { type: 'uts' }] }))).toBe('accepted');
    expect(refusal(config({ hostname: 'h', namespaces: [{ type: 'mount' }, { type: 'uts', path: '/run/pod/uts' }] }))).toBe('accepted');
    expect(refusal(config({ hostname: '' }))).toBe('accepted'); // nothing to set
  });

  it('sysctls: ipc ones need ipc, net.* a network namespace, kernel.domainname uts; the rest never', () => {
    const with_ = (...types: string[]) => [{ type: 'mount' }, ...types.map((type) => ({ type }))];
    expect(refusal(config({ sysctl: { 'kernel.shmmax': '1' } }))).toMatch(/^config\.json: linux\.sysctl\.kernel\.shmmax needs an ipc namespace/);
    expect(refusal(config({ sysctl: { 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '1' }, namespaces: with_('ipc') }))).toBe('accepted');
    expect(refusal(config({ sysctl: { 'net.core.somaxconn': '1' } }))).toMatch(/linux\.sysctl\.net\.core\.somaxconn needs a network namespace/);
    expect(refusal(config({ sysctl: { 'net/core/somaxconn': '1' }, namespaces: [{ type: 'mount' }, { type: 'network', path: '/proc/self/ns/net' }] }))).toMatch(
      /needs a network namespace/,
    );
    expect(refusal(config({ sysctl: { 'net.core.somaxconn': '1' }, namespaces: with_('network') }))).toBe('accepted');
    expect(refusal(config({ sysctl: { 'kernel.domainname': 'x' }, namespaces: with_('uts') }))).toBe('accepted');
    expect(refusal(config({ sysctl: { 'kernel.hostname': 'x' }, namespaces: with_('uts') }))).toMatch(/kernel\.hostname conflicts with the hostname field/);
    for (const key of ['kernel.printk_ratelimit_burst', 'vm.swappiness', 'kernel.pid_max', 'kernel.core_pattern']) {
      expect(refusal(config({ sysctl: { [key]: '1' }, namespaces: with_('ipc', 'network', 'uts') })), key).toMatch(
        /is not a sysctl of any namespace: writing it would change the host/,
      );
    }
  });

  it("refuses the runtime's own mount namespace: pivot_root there would re-root the host", () => {
    expect(refusal(config({ namespaces: [{ type: 'pid' }, { type: 'mount', path: '/proc/self/ns/mnt' }] }))).toMatch(
      /^config\.json: linux\.namespaces\[1\]\.path \/proc\/self\/ns\/mnt is the runtime's own mount namespace/,
    );
    expect(refusal(config({ namespaces: [{ type: 'mount', path: '/run/other/mnt' }] }))).toBe('accepted');
  });

  it('the init checks the namespace it is really in before writing', () => {
    expect(() => guardNamespace('uts', 'hostname', '4:100', '4:100')).toThrow(
      /^config\.json: hostname refused: the container is in the runtime's own uts namespace/,
    );
    expect(() => guardNamespace('uts', 'hostname', '4:101', '4:100')).not.toThrow();
  });

  it('reads sysctl names as sysctl(8) does, and refuses what is not one', () => {
    expect(sysctlFile('net.ipv4.ip_forward')).toBe('net/ipv4/ip_forward');
    expect(sysctlFile('net/ipv4/ip_forward')).toBe('net/ipv4/ip_forward');
    expect(sysctlFile('net.ipv4.conf.eth0/100.rp_filter')).toBe('net/ipv4/conf/eth0.100/rp_filter');
    expect(sysctlFile('net/ipv4/conf/eth0.100/rp_filter')).toBe('net/ipv4/conf/eth0.100/rp_filter');
    for (const bad of ['net/../../../etc/passwd', 'net..core', '../kernel/x', 'kernel.', 'a b', '']) expect(sysctlFile(bad), bad).toBeUndefined();
    expect(sysctlNamespace('net/core/somaxconn')).toEqual({ ns: 'network' });
  });
});
