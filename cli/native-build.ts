// The small C helpers (the console-socket receiver, the seccomp agent, the reaper of runtime
// calls, the security cases' exchanger, the reference runtime's nsexec and its libc addon
// syscalls.node) are compiled with the machine's cc, not shipped: a package that carried
// binaries would be for one architecture only. A checkout compiles them at build
// (scripts/build.mjs); an installed package, whose tarball has only their sources, at
// first use. Either way they land in dist/, compiled beside and renamed into place, so
// that a helper running meanwhile keeps its file and nothing executes a half-written one.
//
// Bundled alone into dist/native.cjs too, so that bin/conform-runtime.js can compile
// the runtime's two before its first call without loading the harness.
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Each helper and its source, relative to the package's root. */
export const NATIVE_SOURCES = {
  'console-receiver': 'harness/native/console-receiver.c',
  'seccomp-agent': 'harness/native/seccomp-agent.c',
  reaper: 'harness/native/reaper.c',
  exchange: 'harness/native/exchange.c',
  mounter: 'harness/native/mounter.c',
  nsexec: 'runtime/native/nsexec.c',
  'syscalls.node': 'runtime/native/syscalls.c',
} as const;

export type NativeHelper = keyof typeof NATIVE_SOURCES;

export const INSTALL_CC = 'apt-get install -y gcc libc6-dev';

/** What went wrong compiling a helper, in one line that says what to do. */
export class NativeBuildError extends Error {
  override name = 'NativeBuildError';
}

/**
 * Compiles one helper into `<root>/dist/<name>`. Static, so that it runs in any rootfs
 * (the seccomp agent and the receiver run on the host, nsexec before the container's
 * libraries exist); a `.node` file is a Node-API addon, a shared object that Node loads.
 * `strict` adds -Werror: for our own build, not for a user's newer compiler with new
 * warnings.
 */
export function compileNative(root: string, name: NativeHelper, opts: { strict?: boolean } = {}): string {
  const source = join(root, NATIVE_SOURCES[name]);
  const out = join(root, 'dist', name);
  if (!existsSync(source)) throw new NativeBuildError(`${NATIVE_SOURCES[name]} is missing from ${root}: reinstall conform`);
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    const link = name.endsWith('.node') ? ['-shared', '-fPIC'] : ['-static'];
    execFileSync('cc', ['-O2', '-Wall', ...(opts.strict ? ['-Werror'] : []), ...link, '-o', tmp, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(tmp, out);
    return out;
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT')
      throw new NativeBuildError(`compiling ${name} (${NATIVE_SOURCES[name]}) needs a C compiler and a static libc, and cc was not found: ${INSTALL_CC}`);
    const said = err.stderr?.toString().trim().split('\n').slice(0, 3).join(' | ');
    throw new NativeBuildError(`could not compile ${NATIVE_SOURCES[name]} into ${out}${said ? `: ${said}` : ''} (a static libc is needed: ${INSTALL_CC})`);
  }
}

/** The helper's path, compiled first when it is not there yet (an installed package's first run). */
export function ensureNative(root: string, name: NativeHelper): string {
  const out = join(root, 'dist', name);
  return existsSync(out) ? out : compileNative(root, name);
}
