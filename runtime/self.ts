// Where the running runtime's own files are: the bundle (dist/runtime.cjs) sits in dist/
// with the native helper, and bin/conform-runtime.js loads it. The init and exec re-run
// the entry, through nsexec.
import { join } from 'node:path';

/** bin/conform-runtime.js: `node ENTRY init` is the container's init (with the code cache the CLI has). */
export const ENTRY = join(import.meta.dirname, '..', 'bin', 'conform-runtime.js');
/** dist/nsexec (runtime/native/nsexec.c). */
export const NSEXEC = join(import.meta.dirname, 'nsexec');
