// A small interpreter of the eBPF subset the device-filter compiler emits (32-bit
// loads from the context, and/rsh/mov, conditional jumps, exit), for running the
// compiled program on requests without a kernel. Anything else is an error.

export interface DeviceRequest {
  type: number;
  major: number;
  minor: number;
  access: number;
}

export function runDeviceProgram(program: Uint8Array, req: DeviceRequest): number {
  const view = Buffer.from(program.buffer, program.byteOffset, program.byteLength);
  const ctx = [(req.access << 16) | req.type, req.major, req.minor];
  const r = new Array<bigint>(11).fill(0n);
  const u32 = (v: bigint) => v & 0xffffffffn;
  let pc = 0;
  for (let steps = 0; steps < 10_000; steps++) {
    if (pc < 0 || pc * 8 >= view.length) throw new Error(`pc ${pc} is outside the program`);
    const op = view.readUInt8(pc * 8),
      regs = view.readUInt8(pc * 8 + 1);
    const dst = regs & 0xf,
      src = regs >> 4;
    const off = view.readInt16LE(pc * 8 + 2),
      imm = BigInt(view.readInt32LE(pc * 8 + 4));
    pc++;
    switch (op) {
      case 0x61: // ldxw
        if (src !== 1 || off % 4 !== 0 || off / 4 >= ctx.length) throw new Error(`load from r${src}+${off}`);
        r[dst] = BigInt(ctx[off / 4]! >>> 0);
        break;
      case 0x54:
        r[dst] = u32(r[dst]! & u32(imm));
        break; // and32 imm
      case 0x74:
        r[dst] = u32(r[dst]!) >> imm;
        break; // rsh32 imm
      case 0xbc:
        r[dst] = u32(r[src]!);
        break; // mov32 reg
      case 0xb7:
        r[dst] = imm;
        break; // mov64 imm
      case 0x15:
        if (r[dst] === imm) pc += off;
        break; // jeq imm
      case 0x55:
        if (r[dst] !== imm) pc += off;
        break; // jne imm
      case 0x5d:
        if (r[dst] !== r[src]) pc += off;
        break; // jne reg
      case 0x95:
        return Number(r[0]);
      default:
        throw new Error(`opcode 0x${op.toString(16)} at ${pc - 1} is not in the subset`);
    }
  }
  throw new Error('no exit within 10000 steps');
}
