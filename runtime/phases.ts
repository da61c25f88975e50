// Marks for `npm run bench`'s breakdown of a runtime call's CPU time: bin/conform-runtime.js
// installs the recorder when CONFORM_RUNTIME_PHASES names a file, and nothing happens otherwise.
const KEY = Symbol.for('conform-runtime.phase');

/** Marks the CPU and wall time so far under `name`, when the call is being measured. */
export function phase(name: string): void {
  (process as unknown as Record<symbol, ((name: string) => void) | undefined>)[KEY]?.(name);
}
