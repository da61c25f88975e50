// linux.netDevices: the rtnetlink messages (built and parsed without a kernel), the
// config checks, and the order of the moves against a fake Netlink.
import { describe, expect, it } from 'vitest';
import type { Linux } from '../../schemas/config.js';
import { moveNetDevices, planNetDevices } from '../../runtime/net/devices.js';
import {
  IFA_ADDRESS,
  IFA_FLAGS,
  IFA_F_PERMANENT,
  IFA_LOCAL,
  IFLA_IFNAME,
  IFLA_NET_NS_FD,
  RTM_NEWADDR,
  attr,
  ifaddrmsg,
  ifinfomsg,
  message,
  newAddressRequest,
  parseAddress,
  parseAttrs,
  parseLink,
  splitMessages,
  stringAttr,
  u32Attr,
  type Address,
  type Link,
  type Netlink,
} from '../../runtime/net/netlink.js';
import { FakeSyscalls } from '../../runtime/syscalls-fake.js';

const withNet = (netDevices: Record<string, unknown>, namespaces = [{ type: 'network' }]) => ({ namespaces, netDevices }) as unknown as Linux;

describe('rtnetlink messages', () => {
  it('builds a move request: ifinfomsg, the namespace fd and the new name, 4-byte aligned', () => {
    const m = message(16, 0x5, 7, [ifinfomsg({ index: 12 }), u32Attr(IFLA_NET_NS_FD, 9), stringAttr(IFLA_IFNAME, 'eth0')]);
    expect(m.readUInt32LE(0)).toBe(m.length);
    expect(m.length % 4).toBe(0);
    const [msg] = splitMessages(m);
    expect(msg).toMatchObject({ type: 16, seq: 7 });
    const link = parseLink(msg!.body);
    expect(link).toMatchObject({ index: 12, name: 'eth0' });
    expect(parseAttrs(msg!.body, 16, msg!.body.length).get(IFLA_NET_NS_FD)!.readUInt32LE(0)).toBe(9);
  });

  it('parses a link with its MAC, and an address with IFA_FLAGS', () => {
    const body = Buffer.concat([ifinfomsg({ index: 3, flags: 0x1003 }), attr(1, Buffer.from([0x7e, 0, 0xab, 1, 2, 3])), stringAttr(IFLA_IFNAME, 'cf0h')]);
    expect(parseLink(body)).toEqual({ index: 3, flags: 0x1003, name: 'cf0h', mac: '7e:00:ab:01:02:03' });
    const a = parseAddress(
      Buffer.concat([
        ifaddrmsg({ family: 2, prefixlen: 24, flags: 0x80, scope: 0, index: 3 }),
        attr(IFA_LOCAL, Buffer.from([10, 213, 7, 1])),
        u32Attr(IFA_FLAGS, 0x82),
      ]),
    );
    expect(a).toMatchObject({ family: 2, prefixlen: 24, flags: 0x82, scope: 0, index: 3 });
  });

  it('adds an address again with its own flags, not the ones the kernel manages', () => {
    const a: Address = {
      family: 10,
      prefixlen: 64,
      flags: IFA_F_PERMANENT | 0x02 /* NODAD */ | 0x40 /* TENTATIVE */,
      scope: 0,
      index: 3,
      attrs: new Map([[IFA_ADDRESS, Buffer.alloc(16, 1)]]),
    };
    const [m] = splitMessages(newAddressRequest(a, 42, 5));
    expect(m!.type).toBe(RTM_NEWADDR);
    const back = parseAddress(m!.body);
    expect(back).toMatchObject({ family: 10, prefixlen: 64, index: 42, flags: 0x02 });
    expect(back.attrs.get(IFA_ADDRESS)).toEqual(Buffer.alloc(16, 1));
  });
});

describe('planNetDevices', () => {
  it('names each move, the host name by default', () => {
    expect(planNetDevices(withNet({ eth1: { name: 'ceth0' }, eth2: {} }))).toEqual([
      { host: 'eth1', name: 'ceth0' },
      { host: 'eth2', name: 'eth2' },
    ]);
    expect(planNetDevices(withNet({}))).toEqual([]);
    expect(planNetDevices(undefined)).toEqual([]);
  });

  it('refuses what cannot work, naming the field', () => {
    const err = (l: Linux) => {
      try {
        planNetDevices(l);
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(err(withNet({ eth1: {} }, []))).toMatch(/linux\.netDevices.*network namespace/);
    expect(err(withNet({ a: { name: 'x' }, b: { name: 'x' } }))).toMatch(/linux\.netDevices\.b\.name is x, the name a gets/);
    expect(err(withNet({ a: { name: 'c%d' }, b: { name: 'c%d' } }))).toBe('no error');
    expect(err(withNet({ a: { name: 'much-too-long-name' } }))).toMatch(/linux\.netDevices\.a\.name/);
    expect(err(withNet({ 'a b': {} }))).toMatch(/is not a network interface name/);
    expect(err(withNet({ a: { name: 'c%s' } }))).toMatch(/%d/);
  });
});

/** A namespace's links, with the moves between two of them. */
class FakeNet implements Netlink {
  readonly log: string[] = [];
  constructor(
    readonly name: string,
    public linkList: Link[],
    readonly addrs: Address[] = [],
    readonly peer?: FakeNet,
  ) {}
  links(): Link[] {
    return this.linkList.map((l) => ({ ...l }));
  }
  addresses(index: number): Address[] {
    return this.addrs.filter((a) => a.index === index);
  }
  moveLink(index: number, nsFd: number, name: string): void {
    this.log.push(`move ${index} ${name}`);
    const l = this.linkList.find((x) => x.index === index)!;
    this.linkList = this.linkList.filter((x) => x !== l);
    this.peer!.linkList.push({ ...l, index: 100 + index, name: name.replace('%d', '0') });
  }
  addAddress(a: Address, index: number): void {
    this.log.push(`addr ${index} ${a.prefixlen}`);
  }
  setUp(index: number): void {
    this.log.push(`up ${index}`);
  }
  close(): void {
    this.log.push('close');
  }
}

describe('moveNetDevices', () => {
  const addr = (index: number, flags: number, scope: number): Address => ({ family: 2, prefixlen: 24, flags, scope, index, attrs: new Map() });

  it('checks every device first, then moves each, adds its permanent global addresses and sets it up', () => {
    const inner = new FakeNet('inner', [{ index: 1, name: 'lo', flags: 0 }]);
    const host = new FakeNet(
      'host',
      [{ index: 5, name: 'cfh', flags: 0, mac: 'aa' }],
      [addr(5, IFA_F_PERMANENT, 0), addr(5, 0, 0), addr(5, IFA_F_PERMANENT, 253)],
      inner,
    );
    moveNetDevices(new FakeSyscalls(), [{ host: 'cfh', name: 'conform0' }], 1, { host, inner, nsFd: 9 });
    expect(host.log).toEqual(['move 5 conform0', 'close']);
    expect(inner.log).toEqual(['addr 105 24', 'up 105', 'close']);
  });

  it('moves nothing when a device is missing or its name is taken inside', () => {
    const inner = new FakeNet('inner', [{ index: 1, name: 'lo', flags: 0 }]);
    const host = new FakeNet('host', [{ index: 5, name: 'cfh', flags: 0 }], [], inner);
    expect(() =>
      moveNetDevices(
        new FakeSyscalls(),
        [
          { host: 'cfh', name: 'x' },
          { host: 'gone', name: 'y' },
        ],
        1,
        { host, inner, nsFd: 9 },
      ),
    ).toThrow(/linux\.netDevices\.gone names no network device/);
    expect(() => moveNetDevices(new FakeSyscalls(), [{ host: 'cfh', name: 'lo' }], 1, { host, inner, nsFd: 9 })).toThrow(
      /linux\.netDevices\.cfh\.name is lo, a device the container's network namespace already has/,
    );
    expect(host.log.filter((l) => l.startsWith('move'))).toEqual([]);
  });
});
