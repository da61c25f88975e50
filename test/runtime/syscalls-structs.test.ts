// The byte layouts the syscall layer hands the kernel (runtime/syscalls-structs.ts),
// checked against the x86_64 offsets of the kernel's UAPI headers, written out here
// independently of the packers.
import { describe, expect, it } from 'vitest';
import {
  cmsgSpace,
  makedev,
  msghdrControllen,
  packBitMask,
  packBpfProgAttach,
  packBpfProgLoad,
  packCapData,
  packCapHeader,
  packGids,
  packIovec,
  packMountAttr,
  packMsghdr,
  packOpenHow,
  packRlimit,
  packSchedAttr,
  packSockFprog,
  packWinsize,
  readScmRights,
  setBpfLog,
  statfsFlags,
  unpackCapData,
  unpackRlimit,
  unpackWinsize,
  writeScmRights,
} from '../../runtime/syscalls-structs.js';

/** Little-endian bytes of `value` in `width` bytes. */
function le(value: bigint | number, width: number): number[] {
  let v = BigInt(value);
  return Array.from({ length: width }, () => {
    const b = Number(v & 0xffn);
    v >>= 8n;
    return b;
  });
}
const bytes = (b: Buffer): number[] => [...b];

describe('syscall structs (x86_64)', () => {
  it('struct mount_attr: attr_set, attr_clr, propagation, userns_fd as u64', () => {
    const b = packMountAttr({ attrSet: 0x100001n, attrClr: 0x70n, propagation: 0x40000n }, 7);
    expect(bytes(b)).toEqual([...le(0x100001, 8), ...le(0x70, 8), ...le(0x40000, 8), ...le(7, 8)]);
    expect(bytes(packMountAttr({ attrSet: 0n, attrClr: 0n, propagation: 0n })).every((x) => x === 0)).toBe(true);
  });

  it('struct open_how: flags, mode, resolve as u64', () => {
    const O_PATH = 0o10000000,
      RESOLVE_IN_ROOT = 0x10;
    expect(bytes(packOpenHow(O_PATH, 0o644, RESOLVE_IN_ROOT))).toEqual([...le(O_PATH, 8), ...le(0o644, 8), ...le(RESOLVE_IN_ROOT, 8)]);
  });

  it('struct sched_attr (VER1, 56 bytes): size, policy, flags, nice, priority, runtime, deadline, period', () => {
    const b = packSchedAttr({ policy: 6, flags: 1n, nice: -5, priority: 9, runtime: 10n, deadline: 20n, period: 30n });
    expect(b.length).toBe(56);
    expect(bytes(b)).toEqual([
      ...le(56, 4),
      ...le(6, 4),
      ...le(1, 8),
      ...le(0xfffffffb, 4),
      ...le(9, 4),
      ...le(10, 8),
      ...le(20, 8),
      ...le(30, 8),
      ...new Array<number>(8).fill(0),
    ]);
  });

  it('struct rlimit64, both ways, RLIM_INFINITY included', () => {
    const inf = 2n ** 64n - 1n;
    const b = packRlimit(1024n, inf);
    expect(bytes(b)).toEqual([...le(1024, 8), ...new Array<number>(8).fill(0xff)]);
    expect(unpackRlimit(b)).toEqual({ soft: 1024n, hard: inf });
  });

  it('capabilities v3: the header, and the low words of the three sets before the high words', () => {
    expect(bytes(packCapHeader())).toEqual([...le(0x20080522, 4), ...le(0, 4)]);
    const sets = { effective: 0x1_0000_0001n, permitted: 0x2_0000_0002n, inheritable: 0x4_0000_0004n };
    const d = packCapData(sets);
    expect(bytes(d)).toEqual([...le(1, 4), ...le(2, 4), ...le(4, 4), ...le(1, 4), ...le(2, 4), ...le(4, 4)]);
    expect(unpackCapData(d)).toEqual(sets);
  });

  it('gid_t[] for setgroups, never an empty buffer', () => {
    expect(bytes(packGids([0, 4294967294]))).toEqual([...le(0, 4), ...le(4294967294, 4)]);
    expect(packGids([]).length).toBe(4);
  });

  it('struct sock_fprog: the instruction count (u16), then the pointer at offset 8', () => {
    const program = new Uint8Array(8 * 3);
    expect(bytes(packSockFprog(program, 0x1122334455667788n))).toEqual([...le(3, 2), 0, 0, 0, 0, 0, 0, ...le(0x1122334455667788n, 8)]);
  });

  it('union bpf_attr for BPF_PROG_LOAD and BPF_PROG_ATTACH', () => {
    const load = packBpfProgLoad(new Uint8Array(8 * 5), 0xaan, 0xbbn);
    expect(load.length).toBe(128);
    expect(load.readUInt32LE(0)).toBe(15); // BPF_PROG_TYPE_CGROUP_DEVICE
    expect(load.readUInt32LE(4)).toBe(5); // insn_cnt
    expect(load.readBigUInt64LE(8)).toBe(0xaan); // insns
    expect(load.readBigUInt64LE(16)).toBe(0xbbn); // license
    expect(load.readUInt32LE(68)).toBe(6); // expected_attach_type = BPF_CGROUP_DEVICE
    expect(load.readUInt32LE(24)).toBe(0); // no verifier log unless asked
    setBpfLog(load, 65536, 0xccn);
    expect([load.readUInt32LE(24), load.readUInt32LE(28), load.readBigUInt64LE(32)]).toEqual([1, 65536, 0xccn]);
    expect(bytes(packBpfProgAttach(3, 9))).toEqual([...le(3, 4), ...le(9, 4), ...le(6, 4), ...le(2, 4), ...le(0, 4)]);
  });

  it('bit masks of CPUs and memory nodes, in whole unsigned longs', () => {
    const m = packBitMask([0, 9, 63], 8);
    expect(bytes(m)).toEqual([0x01, 0x02, 0, 0, 0, 0, 0, 0x80]);
    expect(packBitMask([64], 8).length).toBe(16);
    expect(packBitMask([], 128).length).toBe(128);
    expect(packBitMask([1], 128)[0]).toBe(2);
  });

  it('struct winsize: rows, then columns (u16)', () => {
    const ws = packWinsize(24, 80);
    expect(bytes(ws)).toEqual([...le(24, 2), ...le(80, 2), 0, 0, 0, 0]);
    expect(unpackWinsize(ws)).toEqual({ rows: 24, cols: 80 });
  });

  it('struct statfs: f_flags at offset 80', () => {
    const b = Buffer.alloc(120);
    b.writeBigUInt64LE(0x9n, 80); // ST_RDONLY | ST_NOEXEC
    expect(statfsFlags(b)).toBe(0x9);
  });

  it('makedev as glibc: the low 8 bits of minor, then 12 of major, then the rest of minor', () => {
    expect(makedev(1, 3)).toBe(0x103n); // /dev/null
    expect(makedev(0xfff, 0xfffff)).toBe(0xffffffffn);
    expect(makedev(0x1000, 0)).toBe(0x1000n << 32n);
  });

  it('SCM_RIGHTS: cmsghdr (len, level, type) then the fd; msghdr with one iovec', () => {
    expect(cmsgSpace(1)).toBe(24);
    const control = Buffer.alloc(cmsgSpace(1));
    writeScmRights(control, 5);
    expect(bytes(control)).toEqual([...le(20, 8), ...le(1, 4), ...le(1, 4), ...le(5, 4), 0, 0, 0, 0]);
    expect(readScmRights(control, 24)).toBe(5);
    expect(readScmRights(control, 0)).toBeUndefined();
    expect(readScmRights(Buffer.alloc(24), 24)).toBeUndefined();
    expect(bytes(packIovec(0x10n, 42))).toEqual([...le(0x10, 8), ...le(42, 8)]);
    const msg = packMsghdr(0x20n, 0x30n, 24);
    expect(bytes(msg)).toEqual([...le(0, 16), ...le(0x20, 8), ...le(1, 8), ...le(0x30, 8), ...le(24, 8), ...le(0, 8)]);
    expect(msghdrControllen(msg)).toBe(24);
  });
});
