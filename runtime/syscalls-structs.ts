// The kernel structs the syscall layer (./syscalls-libc.ts) passes, packed into buffers
// with the x86_64 layout: pure functions, so that each layout is unit-tested byte by
// byte (test/runtime/syscalls-structs.test.ts) without calling the kernel. A struct
// that points to memory takes the addresses as arguments (the addon's address() at the call).
import type { MountAttr, SchedAttr } from './syscalls.js';

/** struct mount_attr (MOUNT_ATTR_SIZE_VER0): u64 attr_set, attr_clr, propagation, userns_fd. */
export const MOUNT_ATTR_SIZE = 32;
export function packMountAttr(attr: MountAttr, usernsFd = 0): Buffer {
  const buf = Buffer.alloc(MOUNT_ATTR_SIZE);
  buf.writeBigUInt64LE(attr.attrSet, 0);
  buf.writeBigUInt64LE(attr.attrClr, 8);
  buf.writeBigUInt64LE(attr.propagation, 16);
  buf.writeBigUInt64LE(BigInt(usernsFd), 24);
  return buf;
}

/** struct open_how { u64 flags, mode, resolve; } (openat2(2)). */
export const OPEN_HOW_SIZE = 24;
export function packOpenHow(flags: number, mode: number, resolve: number): Buffer {
  const how = Buffer.alloc(OPEN_HOW_SIZE);
  how.writeBigUInt64LE(BigInt(flags), 0);
  how.writeBigUInt64LE(BigInt(mode), 8);
  how.writeBigUInt64LE(BigInt(resolve), 16);
  return how;
}

/** struct sched_attr, SCHED_ATTR_SIZE_VER1 (56 bytes; the utilization clamps left 0). */
export const SCHED_ATTR_SIZE = 56;
export function packSchedAttr(a: SchedAttr): Buffer {
  const attr = Buffer.alloc(SCHED_ATTR_SIZE);
  attr.writeUInt32LE(SCHED_ATTR_SIZE, 0); // size
  attr.writeUInt32LE(a.policy, 4);
  attr.writeBigUInt64LE(a.flags, 8);
  attr.writeInt32LE(a.nice, 16);
  attr.writeUInt32LE(a.priority, 20);
  attr.writeBigUInt64LE(a.runtime, 24);
  attr.writeBigUInt64LE(a.deadline, 32);
  attr.writeBigUInt64LE(a.period, 40);
  return attr;
}

/** struct rlimit64 { u64 rlim_cur, rlim_max; } (prlimit(2)). */
export function packRlimit(soft: bigint, hard: bigint): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeBigUInt64LE(soft, 0);
  buf.writeBigUInt64LE(hard, 8);
  return buf;
}
export function unpackRlimit(buf: Buffer): { soft: bigint; hard: bigint } {
  return { soft: buf.readBigUInt64LE(0), hard: buf.readBigUInt64LE(8) };
}

/** _LINUX_CAPABILITY_VERSION_3: two struct __user_cap_data_struct, the low and the high 32 bits. */
const CAP_V3 = 0x20080522;
export interface CapSets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}
/** struct __user_cap_header_struct { u32 version; int pid; } for the calling thread. */
export function packCapHeader(): Buffer {
  const hdr = Buffer.alloc(8);
  hdr.writeUInt32LE(CAP_V3, 0);
  return hdr;
}
/** struct __user_cap_data_struct[2] { u32 effective, permitted, inheritable; }: low words, then high words. */
export function packCapData(sets: CapSets): Buffer {
  const data = Buffer.alloc(24);
  const lo = (v: bigint) => Number(v & 0xffffffffn);
  const hi = (v: bigint) => Number((v >> 32n) & 0xffffffffn);
  data.writeUInt32LE(lo(sets.effective), 0);
  data.writeUInt32LE(lo(sets.permitted), 4);
  data.writeUInt32LE(lo(sets.inheritable), 8);
  data.writeUInt32LE(hi(sets.effective), 12);
  data.writeUInt32LE(hi(sets.permitted), 16);
  data.writeUInt32LE(hi(sets.inheritable), 20);
  return data;
}
export function unpackCapData(d: Buffer): CapSets {
  const get = (o: number) => BigInt(d.readUInt32LE(o)) | (BigInt(d.readUInt32LE(o + 12)) << 32n);
  return { effective: get(0), permitted: get(4), inheritable: get(8) };
}

/** gid_t[] for setgroups(2) (at least 4 bytes: an empty buffer may have no address). */
export function packGids(gids: readonly number[]): Buffer {
  const buf = Buffer.alloc(Math.max(4, gids.length * 4));
  gids.forEach((g, i) => buf.writeUInt32LE(g, i * 4));
  return buf;
}

/** struct sock_fprog { unsigned short len; struct sock_filter *filter; } (seccomp(2)); `program` is sock_filter[]. */
export function packSockFprog(program: Uint8Array, filterAddress: bigint): Buffer {
  const fprog = Buffer.alloc(16);
  fprog.writeUInt16LE(program.length / 8, 0);
  fprog.writeBigUInt64LE(filterAddress, 8);
  return fprog;
}

export const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
export const BPF_CGROUP_DEVICE = 6;
export const BPF_F_ALLOW_MULTI = 2;
/** union bpf_attr, the BPF_PROG_LOAD part: a BPF_PROG_TYPE_CGROUP_DEVICE program of struct bpf_insn[]. */
export function packBpfProgLoad(program: Uint8Array, insnsAddress: bigint, licenseAddress: bigint): Buffer {
  const load = Buffer.alloc(128);
  load.writeUInt32LE(BPF_PROG_TYPE_CGROUP_DEVICE, 0); // prog_type
  load.writeUInt32LE(program.length / 8, 4); // insn_cnt
  load.writeBigUInt64LE(insnsAddress, 8); // insns
  load.writeBigUInt64LE(licenseAddress, 16); // license
  load.writeUInt32LE(BPF_CGROUP_DEVICE, 68); // expected_attach_type
  return load;
}
/** Asks the verifier for its log in `load` (log_level 1, log_size, log_buf). */
export function setBpfLog(load: Buffer, logSize: number, logAddress: bigint): void {
  load.writeUInt32LE(1, 24);
  load.writeUInt32LE(logSize, 28);
  load.writeBigUInt64LE(logAddress, 32);
}
/** union bpf_attr, the BPF_PROG_ATTACH part. */
export function packBpfProgAttach(targetFd: number, progFd: number): Buffer {
  const attach = Buffer.alloc(20);
  attach.writeUInt32LE(targetFd, 0); // target_fd
  attach.writeUInt32LE(progFd, 4); // attach_bpf_fd
  attach.writeUInt32LE(BPF_CGROUP_DEVICE, 8); // attach_type
  attach.writeUInt32LE(BPF_F_ALLOW_MULTI, 12); // attach_flags
  return attach;
}

/**
 * A bit mask of `bits` (CPU or memory node numbers) in unsigned longs, at least
 * `minBytes` long (cpu_set_t for sched_setaffinity(2), the nodemask of set_mempolicy(2)).
 */
export function packBitMask(bits: readonly number[], minBytes: number): Buffer {
  const count = bits.length ? Math.max(...bits) + 1 : 0;
  const mask = Buffer.alloc(Math.max(minBytes, Math.ceil(count / 64) * 8));
  for (const b of bits) mask[b >> 3]! |= 1 << (b & 7);
  return mask;
}

/** struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; } */
export function packWinsize(rows: number, cols: number): Buffer {
  const ws = Buffer.alloc(8);
  ws.writeUInt16LE(rows, 0);
  ws.writeUInt16LE(cols, 2);
  return ws;
}
export function unpackWinsize(ws: Buffer): { rows: number; cols: number } {
  return { rows: ws.readUInt16LE(0), cols: ws.readUInt16LE(2) };
}

/** struct statfs on x86_64 (120 bytes): f_flags at offset 80. */
export const STATFS_SIZE = 120;
export const statfsFlags = (buf: Buffer): number => Number(buf.readBigUInt64LE(80));

/** makedev() as glibc encodes it. */
export function makedev(major: number, minor: number): bigint {
  return (BigInt(major & 0xfff) << 8n) | (BigInt(major & ~0xfff) << 32n) | BigInt(minor & 0xff) | (BigInt(minor & ~0xff) << 12n);
}

export const SOL_SOCKET = 1;
export const SCM_RIGHTS = 1;
/** sizeof(struct cmsghdr) on x86_64. */
export const CMSG_HDR = 16;
/** CMSG_SPACE(4 * fds): the header and the fds, rounded up to a long. */
export const cmsgSpace = (fds: number): number => CMSG_HDR + Math.ceil((4 * fds) / 8) * 8;

/** One SCM_RIGHTS control message carrying `fd`, in `control` (cmsgSpace(1) bytes). */
export function writeScmRights(control: Buffer, fd: number): void {
  control.writeBigUInt64LE(BigInt(CMSG_HDR + 4), 0); // cmsg_len = CMSG_LEN(sizeof(int))
  control.writeInt32LE(SOL_SOCKET, 8);
  control.writeInt32LE(SCM_RIGHTS, 12);
  control.writeInt32LE(fd, CMSG_HDR);
}
/** The fd of an SCM_RIGHTS control message `controllen` bytes long, if that is what it holds. */
export function readScmRights(control: Buffer, controllen: number): number | undefined {
  if (controllen >= CMSG_HDR + 4 && control.readInt32LE(8) === SOL_SOCKET && control.readInt32LE(12) === SCM_RIGHTS) return control.readInt32LE(CMSG_HDR);
  return undefined;
}

/** struct iovec { void *iov_base; size_t iov_len; } */
export function packIovec(baseAddress: bigint, length: number): Buffer {
  const iov = Buffer.alloc(16);
  iov.writeBigUInt64LE(baseAddress, 0);
  iov.writeBigUInt64LE(BigInt(length), 8);
  return iov;
}
/** struct msghdr (56 bytes on x86_64), without a name, with one iovec and control data. */
export function packMsghdr(iovAddress: bigint, controlAddress: bigint, controlLength: number): Buffer {
  const msg = Buffer.alloc(56);
  msg.writeBigUInt64LE(iovAddress, 16); // msg_iov
  msg.writeBigUInt64LE(1n, 24); // msg_iovlen
  msg.writeBigUInt64LE(controlAddress, 32); // msg_control
  msg.writeBigUInt64LE(BigInt(controlLength), 40); // msg_controllen
  return msg;
}
/** msg_controllen as recvmsg(2) left it. */
export const msghdrControllen = (msg: Buffer): number => Number(msg.readBigUInt64LE(40));
