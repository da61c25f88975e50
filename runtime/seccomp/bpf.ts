// A tiny classic-BPF assembler with labels. Conditional jumps in classic BPF
// reach at most 255 instructions ahead; the assembler keeps that promise by
// inserting `ja` trampolines (32-bit offsets) next to any jump that is too far,
// so the compiler above it can lay code out without counting.

/** struct sock_filter opcodes used by seccomp filters. */
export const BPF = {
  LD_W_ABS: 0x20, // A = *(u32 *)(seccomp_data + k)
  ALU_AND_K: 0x54, // A &= k
  JMP_JA: 0x05, // pc += k
  JMP_JEQ_K: 0x15,
  JMP_JGT_K: 0x25,
  JMP_JGE_K: 0x35,
  JMP_JSET_K: 0x45,
  RET_K: 0x06,
} as const;

/** BPF_MAXINSNS: the kernel refuses longer filters with EINVAL. */
export const BPF_MAXINSNS = 4096;

export type JumpOp = 'jeq' | 'jgt' | 'jge' | 'jset';
const JUMP_CODE: Record<JumpOp, number> = {
  jeq: BPF.JMP_JEQ_K,
  jgt: BPF.JMP_JGT_K,
  jge: BPF.JMP_JGE_K,
  jset: BPF.JMP_JSET_K,
};

/** A position in the program, bound once with `Program.bind`. */
export interface Label {
  readonly name: string;
}

type Item =
  | { kind: 'ld'; k: number }
  | { kind: 'and'; k: number }
  | { kind: 'jmp'; op: JumpOp; k: number; jt: Label; jf: Label }
  | { kind: 'ja'; target: Label }
  | { kind: 'ret'; k: number }
  | { kind: 'bind'; label: Label };

export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export class Program {
  private items: Item[] = [];
  private count = 0;

  label(name = `L${++this.count}`): Label {
    return { name };
  }

  bind(label: Label): void {
    this.items.push({ kind: 'bind', label });
  }

  /** A label bound at the current end of the program. */
  here(): Label {
    const l = this.label();
    this.bind(l);
    return l;
  }

  ld(offset: number): void {
    this.items.push({ kind: 'ld', k: offset });
  }

  and(k: number): void {
    this.items.push({ kind: 'and', k: k >>> 0 });
  }

  jump(op: JumpOp, k: number, jt: Label, jf: Label): void {
    this.items.push({ kind: 'jmp', op, k: k >>> 0, jt, jf });
  }

  ja(target: Label): void {
    this.items.push({ kind: 'ja', target });
  }

  ret(k: number): void {
    this.items.push({ kind: 'ret', k: k >>> 0 });
  }

  /** Resolves the labels and returns the instructions. */
  assemble(): SockFilter[] {
    for (;;) {
      const pos = this.positions();
      const far: Array<[index: number, pc: number]> = [];
      let pc = 0;
      this.items.forEach((it, i) => {
        if (it.kind === 'bind') return;
        if (it.kind === 'jmp' && (offset(pos, it.jt, pc) > 255 || offset(pos, it.jf, pc) > 255)) far.push([i, pc]);
        pc++;
      });
      if (far.length === 0) break;
      // Insert from the end so the earlier indexes stay valid. A trampoline right
      // after its jump is never reached by falling through: a conditional jump
      // always leaves through jt or jf.
      for (const [i, here] of far.reverse()) {
        const it = this.items[i] as Extract<Item, { kind: 'jmp' }>;
        const tramp: Item[] = [];
        for (const side of ['jt', 'jf'] as const) {
          if (offset(pos, it[side], here) <= 255) continue;
          const t = this.label(`${it[side].name}~`);
          tramp.push({ kind: 'bind', label: t }, { kind: 'ja', target: it[side] });
          it[side] = t;
        }
        this.items.splice(i + 1, 0, ...tramp);
      }
    }

    const pos = this.positions();
    const out: SockFilter[] = [];
    for (const it of this.items) {
      const pc = out.length;
      switch (it.kind) {
        case 'bind':
          break;
        case 'ld':
          out.push({ code: BPF.LD_W_ABS, jt: 0, jf: 0, k: it.k });
          break;
        case 'and':
          out.push({ code: BPF.ALU_AND_K, jt: 0, jf: 0, k: it.k });
          break;
        case 'ret':
          out.push({ code: BPF.RET_K, jt: 0, jf: 0, k: it.k });
          break;
        case 'ja':
          out.push({ code: BPF.JMP_JA, jt: 0, jf: 0, k: offset(pos, it.target, pc) });
          break;
        case 'jmp':
          out.push({ code: JUMP_CODE[it.op], jt: offset(pos, it.jt, pc), jf: offset(pos, it.jf, pc), k: it.k });
          break;
      }
    }
    return out;
  }

  private positions(): Map<Label, number> {
    const pos = new Map<Label, number>();
    let pc = 0;
    for (const it of this.items) {
      if (it.kind === 'bind') {
        if (pos.has(it.label)) throw new Error(`BPF label ${it.label.name} bound twice`);
        pos.set(it.label, pc);
      } else pc++;
    }
    return pos;
  }
}

function offset(pos: Map<Label, number>, label: Label, pc: number): number {
  const target = pos.get(label);
  if (target === undefined) throw new Error(`BPF label ${label.name} never bound`);
  const off = target - pc - 1;
  // Classic BPF only jumps forward; a backward jump is a compiler bug.
  if (off < 0) throw new Error(`BPF label ${label.name} is behind its jump`);
  return off;
}

/** Serialises instructions as the kernel's struct sock_filter array (little-endian). */
export function encode(insns: readonly SockFilter[]): Buffer {
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((ins, i) => {
    buf.writeUInt16LE(ins.code, i * 8);
    buf.writeUInt8(ins.jt, i * 8 + 2);
    buf.writeUInt8(ins.jf, i * 8 + 3);
    buf.writeUInt32LE(ins.k >>> 0, i * 8 + 4);
  });
  return buf;
}

/** The inverse of `encode`, for tests and debugging. */
export function decode(buf: Buffer): SockFilter[] {
  if (buf.length % 8 !== 0) throw new Error(`BPF program length ${buf.length} is not a multiple of 8`);
  const out: SockFilter[] = [];
  for (let o = 0; o < buf.length; o += 8) {
    out.push({ code: buf.readUInt16LE(o), jt: buf.readUInt8(o + 2), jf: buf.readUInt8(o + 3), k: buf.readUInt32LE(o + 4) });
  }
  return out;
}
