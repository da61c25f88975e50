// Swaps two paths over and over with renameat2(RENAME_EXCHANGE), atomically, until
// killed: a directory and a symlink trade names, so that whoever resolves one of the
// names sees either at any moment (the CVE-2021-30465 race). Usage: swapper.mjs A B
// renameat2 goes through the reference runtime's libc addon (dist/syscalls.node, built
// by `npm run build`; runtime/native/syscalls.c).
import { fileURLToPath } from 'node:url';

const addon = { exports: {} };
process.dlopen(addon, fileURLToPath(new URL('../../dist/syscalls.node', import.meta.url)));
const { call, errno } = addon.exports;
const [a, b] = process.argv.slice(2);
const SYS_RENAMEAT2 = 316; // x86_64
const AT_FDCWD = -100;
const RENAME_EXCHANGE = 2;
const swap = () => call('syscall', SYS_RENAMEAT2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
if (swap() !== 0) {
  process.stderr.write(`renameat2 ${a} ${b}: errno ${errno()}\n`);
  process.exit(1);
}
process.stdout.write('swapping\n');
for (;;) swap();
