// Where the running runtime's own files are. The bundle (dist/runtime.js) and its
// chunks (dist/runtime-chunk-*.js, see scripts/build.mjs) sit side by side in dist/,
// with the native helper: the init and exec re-run the entry, through nsexec.
import { fileURLToPath } from 'node:url';

/** dist/runtime.js: `node ENTRY init` is the container's init. */
export const ENTRY = fileURLToPath(new URL('./runtime.js', import.meta.url));
/** dist/nsexec (runtime/native/nsexec.c). */
export const NSEXEC = fileURLToPath(new URL('./nsexec', import.meta.url));
