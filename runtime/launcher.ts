// What the runtime tells its launcher, bin/conform-runtime.js, through symbols on
// `process`: the launcher installs the phase recorder (or not) and reads whether the
// command ran.
type Hooks = Record<symbol, ((name: string) => void) | boolean | undefined>;
const hooks = process as unknown as Hooks;
const RAN = Symbol.for('conform-runtime.ran');

/**
 * Marks the CPU and wall time so far under `name`, for `npm run bench`'s breakdown of a
 * call, when CONFORM_RUNTIME_PHASES names a file.
 */
export function phase(name: string): void {
  const mark = hooks[Symbol.for('conform-runtime.phase')];
  if (typeof mark === 'function') mark(name);
}

/**
 * Says that the call ran its command to the end: what it compiled may become the
 * command's trained code cache (bin/load-bundle.js). Not said by --help, --version or a
 * usage error, whose code is not what the command's calls run.
 */
export function ranCommand(): void {
  hooks[RAN] ??= true;
}

/** Says that the call succeeded by a shortcut (delete --force of a missing container): not what the command's calls run either. */
export function tookShortcut(): void {
  hooks[RAN] = false;
}
