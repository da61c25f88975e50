// The readers the scheduling and netdevices suites apply to what the probe prints:
// recorded outputs of this kernel's /proc files and of busybox's ionice and ip.
import { describe, expect, it } from 'vitest';
import { parseAddrs, parseLinks } from '../../suites/netdevices.js';
import { parseStat } from '../../suites/scheduling/common.js';
import { parseIonice } from '../../suites/scheduling/io-priority.js';
import { parseNodeList, policyOf } from '../../suites/scheduling/memory-policy.js';

describe('scheduling readers', () => {
  it('parseStat reads nice, rt_priority and policy, whatever the command name holds', () => {
    const fields = (comm: string, nice: number, rt: number, policy: number) =>
      `1 (${comm}) S 0 1 1 0 -1 4194560 150 0 0 0 0 0 0 0 ${nice < 0 ? 20 + nice : 20 + nice} ${nice} 1 0 2638 1548288 81 18446744073709551615 1 1 0 0 0 0 0 0 65538 0 0 0 17 1 ${rt} ${policy} 0 0 0 0 0 0 0 0 0 0 0`;
    expect(parseStat(fields('sh', 7, 0, 3))).toEqual({ nice: 7, rtPriority: 0, policy: 3 });
    expect(parseStat(fields('a) (b c', -5, 10, 2))).toEqual({ nice: -5, rtPriority: 10, policy: 2 });
    expect(parseStat('garbage')).toBeUndefined();
    expect(parseStat(undefined)).toBeUndefined();
  });

  it('parseIonice reads busybox ionice output', () => {
    expect(parseIonice('best-effort: prio 6')).toEqual({ cls: 'best-effort', prio: 6 });
    expect(parseIonice('realtime: prio 2\n')).toEqual({ cls: 'realtime', prio: 2 });
    expect(parseIonice('idle')).toEqual({ cls: 'idle' });
    expect(parseIonice('none: prio 0')).toEqual({ cls: 'none', prio: 0 });
    expect(parseIonice('ionice: ioprio_get: Operation not permitted')).toBeUndefined();
  });

  it('policyOf reads the policy of the first mapping in numa_maps, spaces and flags included', () => {
    expect(policyOf('55568db6f000 bind:0 file=/bin/busybox mapped=4 N0=4 kernelpagesize_kB=4\n55568db73000 bind:0 file=/bin/busybox')).toBe(
      'bind:0 file=/bin/busybox mapped=4 N0=4 kernelpagesize_kB=4',
    );
    expect(policyOf('55f9c48a0000 prefer (many):0 file=/bin/busybox')?.startsWith('prefer (many):0 ')).toBe(true);
    expect(policyOf('55c80c423000 bind=static:0 file=/bin/busybox')?.startsWith('bind=static:0 ')).toBe(true);
    expect(policyOf('')).toBeUndefined();
  });

  it('parseNodeList expands ranges', () => {
    expect(parseNodeList('0\n')).toEqual([0]);
    expect(parseNodeList('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(parseNodeList('')).toEqual([]);
  });
});

describe('netdevices readers', () => {
  it('parseLinks reads names, flags and MACs of busybox `ip -o link`', () => {
    const out = [
      '1: lo: <LOOPBACK> mtu 65536 qdisc noop qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
      '12: conform0@if11: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1280 qdisc noqueue qlen 1000\\    link/ether 6a:4b:15:72:79:20 brd ff:ff:ff:ff:ff:ff',
    ].join('\n');
    expect(parseLinks(out)).toEqual([
      { name: 'lo', flags: ['LOOPBACK'] },
      { name: 'conform0', flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP', 'M-DOWN'], mac: '6a:4b:15:72:79:20' },
    ]);
  });

  it('parseAddrs reads family, prefix and scope of busybox `ip -o addr`', () => {
    const out = [
      '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
      '3: cfa    inet 10.213.7.1/24 scope global cfa\\       valid_lft forever preferred_lft forever',
      '3: cfa    inet6 fd00:cf::1/64 scope global flags 02 \\       valid_lft forever preferred_lft forever',
    ].join('\n');
    expect(parseAddrs(out)).toEqual([
      { dev: 'lo', family: 'inet', cidr: '127.0.0.1/8', scope: 'host' },
      { dev: 'cfa', family: 'inet', cidr: '10.213.7.1/24', scope: 'global' },
      { dev: 'cfa', family: 'inet6', cidr: 'fd00:cf::1/64', scope: 'global' },
    ]);
  });
});
