// Tiny static i386 ELF programs (84-byte headers, a few bytes of code, no libc): the
// only way to make 32-bit syscalls from a 64-bit busybox rootfs, and the way to find
// out whether a kernel (or a sandbox) executes i386 programs at all.
import { X86_SYSCALLS } from './syscalls/x86.js';

const BASE = 0x08048000;
const HEADERS = 52 + 32;

/** `mov eax, imm32` / `mov ebx, imm32` / `mov ecx, imm32`, then `int 0x80` and friends. */
const movEax = (v: number) => imm(0xb8, v);
const movEbx = (v: number) => imm(0xbb, v);
const movEcx = (v: number) => imm(0xb9, v);
const INT80 = Buffer.from([0xcd, 0x80]);
const NEG_EAX_MOV_EBX_EAX = Buffer.from([0xf7, 0xd8, 0x89, 0xc3]);

function imm(op: number, v: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt8(op, 0);
  b.writeUInt32LE(v >>> 0, 1);
  return b;
}

/** An ELF executable with one R+X segment holding `code` then `data` (data's address is given to `code`). */
function elf(code: (dataAddr: number) => Buffer, data: Buffer): Buffer {
  const codeLength = code(0).length; // the code's length does not depend on the address
  const body = Buffer.concat([code(BASE + HEADERS + codeLength), data]);
  const total = HEADERS + body.length;
  const ehdr = Buffer.alloc(52);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]).copy(ehdr, 0); // ELF, 32-bit, little-endian, SYSV
  ehdr.writeUInt16LE(2, 16); // ET_EXEC
  ehdr.writeUInt16LE(3, 18); // EM_386
  ehdr.writeUInt32LE(1, 20); // EV_CURRENT
  ehdr.writeUInt32LE(BASE + HEADERS, 24); // entry
  ehdr.writeUInt32LE(52, 28); // phoff
  ehdr.writeUInt16LE(52, 40); // ehsize
  ehdr.writeUInt16LE(32, 42); // phentsize
  ehdr.writeUInt16LE(1, 44); // phnum
  const phdr = Buffer.alloc(32);
  [1, 0, BASE, BASE, total, total, 5, 0x1000].forEach((v, i) => phdr.writeUInt32LE(v, i * 4)); // PT_LOAD, R+X
  return Buffer.concat([ehdr, phdr, body]);
}

/** Calls mkdir(path, 0755) through int 0x80 and exits with the errno it got (0 on success). */
export function i386MkdirProgram(path: string): Buffer {
  const code = (pathAddr: number) =>
    Buffer.concat([movEax(X86_SYSCALLS.mkdir!), movEbx(pathAddr), movEcx(0o755), INT80, NEG_EAX_MOV_EBX_EAX, movEax(X86_SYSCALLS.exit!), INT80]);
  return elf(code, Buffer.from(`${path}\0`));
}

/** Exits with `status` through int 0x80 (exit is a syscall no filter under test denies). */
export function i386ExitProgram(status: number): Buffer {
  return elf(() => Buffer.concat([movEbx(status), movEax(X86_SYSCALLS.exit!), INT80]), Buffer.alloc(0));
}
