// Runs the config's hooks: in array order, each with the container's state on
// stdin, its own args and env (an absent env means an empty environment), and its
// timeout (SIGKILL on expiry). Synchronous on purpose: the init calls it after
// unshare/pivot_root, where libuv's thread pool must not be used, and the other
// callers have nothing else to do meanwhile.
//
// The hook's stdout and stderr go to a file (not a pipe), so a hook that leaves a
// daemon behind holding them cannot hang the runtime; the file's tail is quoted in
// the error when the hook fails.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readSync, fstatSync } from 'node:fs';
import { RuntimeError } from './errors.js';
import type { Hook, HookName } from '../schemas/config.js';
import type { OciState } from './state/store.js';

export interface HookRunOptions {
  /** A file to collect each hook's output in (truncated per hook). */
  outputFd?: number;
  /** Called for each hook before it runs (for --debug logs). */
  onRun?: (name: HookName, index: number, hook: Hook) => void;
}

export class HookError extends RuntimeError {
  constructor(
    readonly hook: HookName,
    readonly index: number,
    message: string,
  ) {
    super(`hooks.${hook}[${index}]: ${message}`);
    this.name = 'HookError';
  }
}

export function runHooks(name: HookName, hooks: readonly Hook[] | undefined, state: OciState, opts: HookRunOptions = {}): void {
  (hooks ?? []).forEach((hook, i) => {
    opts.onRun?.(name, i, hook);
    runHook(name, i, hook, state, opts.outputFd);
  });
}

function runHook(name: HookName, index: number, hook: Hook, state: OciState, outputFd: number | undefined): void {
  const ownFd = outputFd === undefined;
  const fd = outputFd ?? openSync('/dev/null', 'w');
  try {
    if (!ownFd) ftruncateSync(fd, 0);
    const argv = hook.args && hook.args.length > 0 ? hook.args : [hook.path];
    const r = spawnSync(hook.path, argv.slice(1), {
      argv0: argv[0],
      env: Object.fromEntries((hook.env ?? []).map((kv) => splitEnv(kv))),
      input: JSON.stringify(state),
      stdio: ['pipe', fd, fd],
      timeout: hook.timeout !== undefined ? hook.timeout * 1000 : undefined,
      killSignal: 'SIGKILL',
      cwd: '/',
    });
    const output = ownFd ? '' : tail(fd);
    const said = output ? ` (output: ${output})` : '';
    // EPIPE: the hook did not read its stdin, which it need not do.
    const err = (r.error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE' ? undefined : (r.error as NodeJS.ErrnoException | undefined);
    if (err?.code === 'ETIMEDOUT') throw new HookError(name, index, `${hook.path} timed out after ${hook.timeout}s and was killed${said}`);
    if (err) throw new HookError(name, index, `${hook.path} could not run: ${err.code ?? err.message}`);
    if (r.signal) throw new HookError(name, index, `${hook.path} was killed by ${r.signal}${said}`);
    if (r.status !== 0) throw new HookError(name, index, `${hook.path} exited with status ${r.status}${said}`);
  } finally {
    if (ownFd) closeSync(fd);
  }
}

function splitEnv(kv: string): [string, string] {
  const eq = kv.indexOf('=');
  return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
}

function tail(fd: number): string {
  const size = fstatSync(fd).size;
  const len = Math.min(size, 300);
  if (len === 0) return '';
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  return buf
    .toString('utf8')
    .trim()
    .replace(/\s*\n\s*/g, ' | ');
}

/**
 * poststop (runtime.md Lifecycle step 13): a failing hook is a warning, and "the
 * remaining hooks and lifecycle continue as if the hook had succeeded".
 */
export function runHooksWarning(name: HookName, hooks: readonly Hook[] | undefined, state: OciState, warn: (message: string) => void): void {
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHook(name, i, hook, state, undefined);
    } catch (err) {
      warn(err instanceof Error ? err.message : String(err));
    }
  });
}
