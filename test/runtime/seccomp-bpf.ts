// Test helper: a classic-BPF interpreter with the kernel's seccomp checks, so a
// compiled filter can be run on synthetic seccomp_data without root.
import { decode, type SockFilter } from '../../runtime/seccomp/bpf.js';

export interface SeccompData {
  nr: number;
  arch: number;
  args?: Array<number | bigint>;
  ip?: bigint;
}

const SECCOMP_DATA_SIZE = 64;

/** Rejects what the kernel's bpf_check_classic + seccomp_check_filter reject. */
export function verify(prog: SockFilter[]): void {
  if (prog.length === 0 || prog.length > 4096) throw new Error(`bad length ${prog.length}`);
  prog.forEach((ins, pc) => {
    switch (ins.code) {
      case 0x20: // ld [k]
        if (ins.k >= SECCOMP_DATA_SIZE || ins.k & 3) throw new Error(`pc ${pc}: bad load offset ${ins.k}`);
        break;
      case 0x54: // and #k
      case 0x06: // ret #k
        break;
      case 0x05: // ja
        if (pc + 1 + ins.k >= prog.length) throw new Error(`pc ${pc}: ja out of range`);
        break;
      case 0x15:
      case 0x25:
      case 0x35:
      case 0x45:
        if (pc + 1 + ins.jt >= prog.length || pc + 1 + ins.jf >= prog.length) throw new Error(`pc ${pc}: jump out of range`);
        break;
      default:
        throw new Error(`pc ${pc}: opcode 0x${ins.code.toString(16)} not allowed`);
    }
  });
  const last = prog[prog.length - 1]!;
  if (last.code !== 0x06) throw new Error('the program does not end with ret');
}

function dataBuffer(d: SeccompData): Buffer {
  const b = Buffer.alloc(SECCOMP_DATA_SIZE);
  b.writeUInt32LE(d.nr >>> 0, 0);
  b.writeUInt32LE(d.arch >>> 0, 4);
  b.writeBigUInt64LE(d.ip ?? 0n, 8);
  (d.args ?? []).forEach((a, i) => b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(a)), 16 + 8 * i));
  return b;
}

export interface RunResult {
  ret: number;
  /** Instructions executed. */
  steps: number;
}

export function run(program: Buffer | SockFilter[], data: SeccompData): RunResult {
  const prog = Buffer.isBuffer(program) ? decode(program) : program;
  verify(prog);
  const mem = dataBuffer(data);
  let a = 0;
  let pc = 0;
  let steps = 0;
  for (;;) {
    const ins = prog[pc]!;
    steps++;
    switch (ins.code) {
      case 0x20:
        a = mem.readUInt32LE(ins.k);
        pc++;
        break;
      case 0x54:
        a = (a & ins.k) >>> 0;
        pc++;
        break;
      case 0x05:
        pc += 1 + ins.k;
        break;
      case 0x15:
        pc += 1 + (a === ins.k ? ins.jt : ins.jf);
        break;
      case 0x25:
        pc += 1 + (a > ins.k ? ins.jt : ins.jf);
        break;
      case 0x35:
        pc += 1 + (a >= ins.k ? ins.jt : ins.jf);
        break;
      case 0x45:
        pc += 1 + ((a & ins.k) !== 0 ? ins.jt : ins.jf);
        break;
      case 0x06:
        return { ret: ins.k >>> 0, steps };
      default:
        throw new Error(`pc ${pc}: opcode 0x${ins.code.toString(16)}`);
    }
  }
}

/** The action part and data part of a return value, for readable assertions. */
export function describeRet(ret: number): string {
  const action = (ret & 0xffff0000) >>> 0;
  const data = ret & 0xffff;
  const names: Record<number, string> = {
    0x80000000: 'KILL_PROCESS',
    0x00000000: 'KILL_THREAD',
    0x00030000: 'TRAP',
    0x00050000: 'ERRNO',
    0x7fc00000: 'USER_NOTIF',
    0x7ff00000: 'TRACE',
    0x7ffc0000: 'LOG',
    0x7fff0000: 'ALLOW',
  };
  const name = names[action] ?? `0x${action.toString(16)}`;
  return name === 'ERRNO' || name === 'TRACE' ? `${name}(${data})` : name;
}
