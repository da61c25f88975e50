// The libc addon (runtime/native/syscalls.c, built as dist/syscalls.node): loaded once, by
// the syscall layer (./syscalls-libc.ts) at its first call, or by a command's end to exit
// with _exit. Small on purpose: the commands that make no syscall import it too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { phase } from './launcher.js';

/** What runtime/native/syscalls.c takes: an integer, a C string, a buffer's bytes, a char ** or NULL. */
export type Arg = number | bigint | string | Uint8Array | readonly string[] | null;

/** The addon: a libc function by name, errno, a buffer's address. */
export interface Native {
  call(name: string, ...args: Arg[]): number;
  errno(): number;
  address(bytes: Uint8Array): bigint;
}

let opened: Native | undefined;

/**
 * dist/syscalls.node, beside this bundle (dist/runtime-*.cjs) or, for this module run
 * from its source (the tests), in the checkout's dist/. Loaded with process.dlopen,
 * which is what require() ends in for a .node file, without require's resolution and
 * module record (~1.5 ms of CPU here).
 */
export function addon(): Native {
  if (opened) return opened;
  phase('syscalls');
  if (process.arch !== 'x64') throw new Error(`conform-runtime supports x86_64 only (this is ${process.arch})`);
  const candidates = [join(import.meta.dirname, 'syscalls.node'), join(import.meta.dirname, '..', 'dist', 'syscalls.node')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`${candidates[0]} is missing: run \`npm run build\` in the conform checkout`);
  const mod = { exports: {} as Native };
  process.dlopen(mod, file);
  phase('syscalls loaded');
  return (opened = mod.exports);
}

/**
 * Ends the process with _exit(code) after the 'exit' event, skipping Node's own teardown
 * (its platform threads joined, libc's exit handlers: ~2-3 ms of CPU a call, more than
 * loading the addon for it costs). Nothing buffered may be left: the runtime writes
 * synchronously. Without the addon, process.exit.
 */
export function exitNow(code: number): never {
  let native: Native;
  try {
    native = addon();
  } catch {
    process.exit(code);
  }
  process.exitCode = code;
  process.emit('exit', code);
  native.call('_exit', code);
  throw new Error('_exit returned');
}
