// linux.resources.devices on cgroup v2: v2 has no devices controller; the kernel asks
// an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the cgroup instead. This
// compiles the rules into one, with v1's meaning:
//   - rules apply in the listed order, so the last one that matches a request decides
//     (the program tests them last to first and returns at the first match);
//   - a request no rule matches is left to the parent cgroups (return 1: their
//     programs still run, as v1 inherits the parent's list);
//   - the default devices (v1.ts) are allowed whatever the list says, as runc does;
//   - an allow rule matches when it grants every access asked for, a deny rule when it
//     refuses any of them (v1 refuses "rw" after a "w" deny).
// The program's context (struct bpf_cgroup_dev_ctx): u32 access_type = access << 16 |
// type, u32 major, u32 minor; type 1 block, 2 char; access 1 mknod, 2 read, 4 write.
import { ACC_MKNOD, ACC_READ, ACC_WRITE, type DeviceMatch } from './values.js';

// eBPF encoding: opcode, dst | src << 4, s16 offset, s32 immediate.
const LDX_W = 0x61; // dst = *(u32 *)(src + off)
const AND32_K = 0x54,
  RSH32_K = 0x74,
  MOV32_X = 0xbc,
  MOV64_K = 0xb7;
const JEQ_K = 0x15,
  JNE_K = 0x55,
  JNE_X = 0x5d,
  EXIT = 0x95;

interface Insn {
  op: number;
  dst?: number;
  src?: number;
  off?: number;
  imm?: number;
}

const ALL = ACC_MKNOD | ACC_READ | ACC_WRITE;

// Registers: r1 the context (then scratch), r2 type, r3 access, r4 major, r5 minor, r0 the verdict.
function ruleBlock(m: DeviceMatch): Insn[] {
  const tests: Insn[][] = [];
  if (m.type !== undefined) tests.push([{ op: JNE_K, dst: 2, imm: m.type }]);
  if (m.major !== undefined) tests.push([{ op: JNE_K, dst: 4, imm: m.major }]);
  if (m.minor !== undefined) tests.push([{ op: JNE_K, dst: 5, imm: m.minor }]);
  if (m.access !== ALL) {
    // r1 = access & rule: allow needs all of the request (r1 == r3), deny any of it (r1 != 0).
    tests.push([
      { op: MOV32_X, dst: 1, src: 3 },
      { op: AND32_K, dst: 1, imm: m.access },
      m.allow ? { op: JNE_X, dst: 1, src: 3 } : { op: JEQ_K, dst: 1, imm: 0 },
    ]);
  }
  const verdict: Insn[] = [{ op: MOV64_K, dst: 0, imm: m.allow ? 1 : 0 }, { op: EXIT }];
  const flat = tests.flat();
  // Every jump goes to the end of this block (the next rule).
  return [
    ...flat.map((insn, i) => (insn.op === JNE_K || insn.op === JEQ_K || insn.op === JNE_X ? { ...insn, off: flat.length - i - 1 + verdict.length } : insn)),
    ...verdict,
  ];
}

/** The rules in the order the program tests them: the default devices, then the list last to first. */
export function programOrder(rules: readonly DeviceMatch[], defaults: readonly DeviceMatch[]): DeviceMatch[] {
  return [...defaults, ...[...rules].reverse()];
}

/** Compiles the rules (in config order) into the program's instructions, 8 bytes each. */
export function compileDeviceFilter(rules: readonly DeviceMatch[], defaults: readonly DeviceMatch[]): Uint8Array {
  const insns: Insn[] = [
    { op: LDX_W, dst: 2, src: 1, off: 0 },
    { op: AND32_K, dst: 2, imm: 0xffff },
    { op: LDX_W, dst: 3, src: 1, off: 0 },
    { op: RSH32_K, dst: 3, imm: 16 },
    { op: LDX_W, dst: 4, src: 1, off: 4 },
    { op: LDX_W, dst: 5, src: 1, off: 8 },
  ];
  // A rule that matches everything ends the program: the kernel's verifier refuses
  // instructions that can never run.
  let total = false;
  for (const m of programOrder(rules, defaults)) {
    insns.push(...ruleBlock(m));
    total = m.type === undefined && m.major === undefined && m.minor === undefined && m.access === ALL;
    if (total) break;
  }
  if (!total) insns.push({ op: MOV64_K, dst: 0, imm: 1 }, { op: EXIT });
  const out = Buffer.alloc(insns.length * 8);
  insns.forEach((x, i) => {
    out.writeUInt8(x.op, i * 8);
    out.writeUInt8(((x.src ?? 0) << 4) | (x.dst ?? 0), i * 8 + 1);
    out.writeInt16LE(x.off ?? 0, i * 8 + 2);
    out.writeInt32LE(x.imm ?? 0, i * 8 + 4);
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** What the rules decide for one request, the way the compiled program does (for tests and errors). */
export function decide(
  rules: readonly DeviceMatch[],
  defaults: readonly DeviceMatch[],
  req: { type: number; major: number; minor: number; access: number },
): boolean {
  for (const m of programOrder(rules, defaults)) {
    if (m.type !== undefined && m.type !== req.type) continue;
    if (m.major !== undefined && m.major !== req.major) continue;
    if (m.minor !== undefined && m.minor !== req.minor) continue;
    const granted = req.access & m.access;
    if (m.allow ? granted !== req.access : granted === 0) continue;
    return m.allow;
  }
  return true;
}
