// rtnetlink, the little of it that moving a network device needs: list links and
// addresses, move and rename a link into another network namespace, add an address,
// set a link up. Messages are built and parsed here (pure, unit-tested); the socket
// is the Syscalls layer's.
import { closeSync } from 'node:fs';
import { errnoName } from '../errors.js';
import type { Syscalls } from '../syscalls.js';

const NLMSG_ERROR = 2,
  NLMSG_DONE = 3;
export const RTM_NEWLINK = 16,
  RTM_GETLINK = 18,
  RTM_NEWADDR = 20,
  RTM_GETADDR = 22;
const NLM_F_REQUEST = 0x1,
  NLM_F_ACK = 0x4,
  NLM_F_DUMP = 0x300,
  NLM_F_CREATE = 0x400,
  NLM_F_EXCL = 0x200;
export const IFLA_ADDRESS = 1,
  IFLA_IFNAME = 3,
  IFLA_NET_NS_FD = 28;
export const IFA_ADDRESS = 1,
  IFA_LOCAL = 2,
  IFA_LABEL = 3,
  IFA_BROADCAST = 4,
  IFA_FLAGS = 8;
export const IFF_UP = 0x1;
export const IFA_F_PERMANENT = 0x80;
export const RT_SCOPE_UNIVERSE = 0;
/** Address flags the kernel manages itself (DAD state, lifetimes): not carried over. */
const KERNEL_ADDR_FLAGS =
  0x80 /* PERMANENT */ | 0x40 /* TENTATIVE */ | 0x20 /* DEPRECATED */ | 0x08 /* DADFAILED */ | 0x04 /* OPTIMISTIC */ | 0x01; /* TEMPORARY */

export interface Link {
  index: number;
  name: string;
  flags: number;
  /** The hardware address, hex bytes joined by ':' (none for some link types). */
  mac?: string;
}

export interface Address {
  family: number;
  prefixlen: number;
  /** ifaddrmsg flags, with IFA_FLAGS's 32 bits when present. */
  flags: number;
  scope: number;
  index: number;
  /** Raw attribute payloads by type (IFA_LOCAL, IFA_ADDRESS, IFA_BROADCAST…). */
  attrs: Map<number, Buffer>;
}

const align = (n: number) => (n + 3) & ~3;

/** An rtattr: u16 length, u16 type, payload padded to 4 bytes. */
export function attr(type: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(align(4 + payload.length));
  out.writeUInt16LE(4 + payload.length, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}
export const u32Attr = (type: number, v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return attr(type, b);
};
export const stringAttr = (type: number, s: string) => attr(type, Buffer.from(`${s}\0`));

/** A whole message: nlmsghdr (length, type, flags, seq, port 0), then the body. */
export function message(type: number, flags: number, seq: number, body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  const hdr = Buffer.alloc(16);
  hdr.writeUInt32LE(16 + payload.length, 0);
  hdr.writeUInt16LE(type, 4);
  hdr.writeUInt16LE(flags, 6);
  hdr.writeUInt32LE(seq, 8);
  return Buffer.concat([hdr, payload]);
}

export function ifinfomsg(o: { index?: number; flags?: number; change?: number } = {}): Buffer {
  const b = Buffer.alloc(16); // family AF_UNSPEC, pad, type 0
  b.writeInt32LE(o.index ?? 0, 4);
  b.writeUInt32LE(o.flags ?? 0, 8);
  b.writeUInt32LE(o.change ?? 0, 12);
  return b;
}

export function ifaddrmsg(o: { family: number; prefixlen: number; flags: number; scope: number; index: number }): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(o.family, 0);
  b.writeUInt8(o.prefixlen, 1);
  b.writeUInt8(o.flags & 0xff, 2);
  b.writeUInt8(o.scope, 3);
  b.writeUInt32LE(o.index, 4);
  return b;
}

export function parseAttrs(buf: Buffer, start: number, end: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = start; off + 4 <= end;) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) break;
    out.set(buf.readUInt16LE(off + 2) & 0x3fff, buf.subarray(off + 4, off + len));
    off += align(len);
  }
  return out;
}

export interface RawMessage {
  type: number;
  seq: number;
  body: Buffer;
}

/** Splits a datagram into messages. */
export function splitMessages(buf: Buffer): RawMessage[] {
  const out: RawMessage[] = [];
  for (let off = 0; off + 16 <= buf.length;) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    out.push({ type: buf.readUInt16LE(off + 4), seq: buf.readUInt32LE(off + 8), body: buf.subarray(off + 16, off + len) });
    off += align(len);
  }
  return out;
}

const cString = (b: Buffer) => b.toString('utf8', 0, b.indexOf(0) >= 0 ? b.indexOf(0) : b.length);

export function parseLink(body: Buffer): Link {
  const attrs = parseAttrs(body, 16, body.length);
  const mac = attrs.get(IFLA_ADDRESS);
  return {
    index: body.readInt32LE(4),
    flags: body.readUInt32LE(8),
    name: cString(attrs.get(IFLA_IFNAME) ?? Buffer.alloc(0)),
    ...(mac && mac.length > 0 ? { mac: [...mac].map((x) => x.toString(16).padStart(2, '0')).join(':') } : {}),
  };
}

export function parseAddress(body: Buffer): Address {
  const attrs = parseAttrs(body, 8, body.length);
  const wide = attrs.get(IFA_FLAGS);
  return {
    family: body.readUInt8(0),
    prefixlen: body.readUInt8(1),
    flags: wide && wide.length >= 4 ? wide.readUInt32LE(0) : body.readUInt8(2),
    scope: body.readUInt8(3),
    index: body.readUInt32LE(4),
    attrs,
  };
}

/** The request that adds `a` (as it was listed) to the link `index`: its own flags, minus those the kernel manages. */
export function newAddressRequest(a: Address, index: number, seq: number): Buffer {
  const flags = a.flags & ~KERNEL_ADDR_FLAGS;
  const body = [ifaddrmsg({ family: a.family, prefixlen: a.prefixlen, flags, scope: a.scope, index })];
  for (const type of [IFA_LOCAL, IFA_ADDRESS, IFA_BROADCAST]) {
    const v = a.attrs.get(type);
    if (v) body.push(attr(type, v));
  }
  body.push(u32Attr(IFA_FLAGS, flags));
  return message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, body);
}

/** What moving and naming needs from rtnetlink, in one network namespace. */
export interface Netlink {
  links(): Link[];
  addresses(index: number): Address[];
  /** Moves link `index` into the namespace `nsFd`, named `name` there (a `%d` template lets the kernel pick). */
  moveLink(index: number, nsFd: number, name: string): void;
  addAddress(a: Address, index: number): void;
  setUp(index: number): void;
  close(): void;
}

export class NetlinkError extends Error {
  constructor(
    readonly what: string,
    readonly code: string,
  ) {
    super(`${what}: ${code}`);
    this.name = 'NetlinkError';
  }
}

/** rtnetlink over a socket of the Syscalls layer (in the network namespace it was made in). */
export class RtNetlink implements Netlink {
  private seq = 1;

  constructor(
    private readonly sys: Syscalls,
    private readonly fd: number,
  ) {}

  /** Sends a request and collects the answers up to NLMSG_DONE (dump) or the ack. */
  private exchange(msg: Buffer, what: string, dump: boolean): RawMessage[] {
    const seq = msg.readUInt32LE(8);
    this.sys.netlinkSend(this.fd, msg);
    const out: RawMessage[] = [];
    for (;;) {
      for (const m of splitMessages(this.sys.netlinkRecv(this.fd))) {
        if (m.seq !== seq) continue;
        if (m.type === NLMSG_DONE) return out;
        if (m.type === NLMSG_ERROR) {
          const errno = -m.body.readInt32LE(0);
          if (errno !== 0) throw new NetlinkError(what, errnoName(errno));
          if (!dump) return out;
          continue;
        }
        out.push(m);
      }
    }
  }

  private request(type: number, body: Buffer[], what: string): void {
    this.exchange(message(type, NLM_F_REQUEST | NLM_F_ACK, this.seq++, body), what, false);
  }

  links(): Link[] {
    return this.exchange(message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, this.seq++, [ifinfomsg()]), 'listing links', true)
      .filter((m) => m.type === RTM_NEWLINK)
      .map((m) => parseLink(m.body));
  }

  addresses(index: number): Address[] {
    return this.exchange(
      message(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, this.seq++, [ifaddrmsg({ family: 0, prefixlen: 0, flags: 0, scope: 0, index: 0 })]),
      'listing addresses',
      true,
    )
      .filter((m) => m.type === RTM_NEWADDR)
      .map((m) => parseAddress(m.body))
      .filter((a) => a.index === index);
  }

  moveLink(index: number, nsFd: number, name: string): void {
    this.request(RTM_NEWLINK, [ifinfomsg({ index }), u32Attr(IFLA_NET_NS_FD, nsFd), stringAttr(IFLA_IFNAME, name)], `moving link ${index} as ${name}`);
  }

  addAddress(a: Address, index: number): void {
    this.exchange(newAddressRequest(a, index, this.seq++), `adding an address to link ${index}`, false);
  }

  setUp(index: number): void {
    this.request(RTM_NEWLINK, [ifinfomsg({ index, flags: IFF_UP, change: IFF_UP })], `setting link ${index} up`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Opens rtnetlink in this thread's network namespace. */
export function openNetlink(sys: Syscalls): RtNetlink {
  return new RtNetlink(sys, sys.netlinkSocket());
}
