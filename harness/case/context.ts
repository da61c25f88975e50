// The `t` a case's check receives: the runtime's operations with the waiting and
// error handling every case needs, the probe, and expectations.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../schemas/config.js';
import { BASE_OCI_VERSION, type BundleBuilder } from './bundle.js';
import { compareSemVer, parseSemVer } from '../../schemas/semver.js';
import { Abort, HarnessError, Skip } from '../errors.js';
import { deepEqual, show } from './compare.js';
import type { CallResult, Driver, StateResult } from '../process/driver.js';
import type { Env } from '../host/env.js';
import { parseProbe, type ProbeFacts } from '../probe/parse.js';
import type { Failure } from '../run/result.js';
import { startConsoleReceiver, type ConsoleReceiver } from '../process/console-receiver.js';
import { namespacesOf, NS_FILE, pidsGone, startTime, type NamespaceKind } from '../host/hostfacts.js';
import { poll } from '../process/wait.js';
import { refuseIfHalted } from '../process/halt.js';
import type { Services } from '../host/services.js';

export interface ContainerState {
  ociVersion?: unknown;
  id?: unknown;
  status: string;
  pid?: number;
  bundle?: unknown;
  annotations?: unknown;
  [key: string]: unknown;
}

export interface BuiltBundle {
  dir: string;
  config: Config;
  builder: BundleBuilder;
}

export type BundleFactory = (edit?: (b: BundleBuilder) => void) => Promise<BuiltBundle>;

/** The first n lines of a runtime's output for a message, each cut at 300 characters. */
function firstLines(s: string, n = 3): string {
  const lines = s
    .slice(0, 64 * 1024)
    .trim()
    .split('\n')
    .filter(Boolean);
  const cut = (l: string) => (l.length > 300 ? `${l.slice(0, 300)}…` : l);
  return lines.slice(0, n).map(cut).join(' | ') + (lines.length > n ? ' …' : '');
}

/** One line for a failed call: how it ended and what it said. */
export function callFailure(what: string, r: CallResult): string {
  const said = firstLines(r.stderr) || firstLines(r.stdout);
  return `${what}: ${r.summary}${said ? `: ${said}` : ''}`;
}

/** What every view of one case (`t`, `t.req(id)`) records into: one case, one record. */
class CaseRecord {
  readonly failures: Failure[] = [];
  readonly notes: string[] = [];
  /** The requirements an assertion (passed or failed) has been about. */
  readonly asserted = new Set<string>();
  /** Requirements the case found it cannot judge in this run (see unjudged()). */
  readonly unjudged = new Set<string>();
  /**
   * Container pids seen in any state, with their start times: cleanup reports those
   * still running at the end (it never kills by them: a runtime could name any process).
   */
  readonly pids = new Map<number, string | undefined>();
  readonly children: ChildProcess[] = [];
  /** Work for the case's cleanup (CaseContext.onCleanup). */
  readonly cleanups: (() => Promise<string[] | void>)[] = [];
  seq = 0;
}

export class CaseContext {
  constructor(
    readonly env: Env,
    readonly rt: Driver,
    /** The case's bundle (config.json + rootfs), already written. */
    readonly bundle: BuiltBundle,
    /** The case's own directory on the host. */
    readonly dir: string,
    /** The case's primary container id; newId() derives more. */
    readonly id: string,
    private readonly bundleFactory: BundleFactory,
    /** What the run shares between cases (harness/host/services.ts). */
    readonly services: Services,
    /** The requirement IDs the case cites. */
    readonly requirements: readonly string[] = [],
    private readonly record = new CaseRecord(),
    /** The requirements this view's assertions are about (see req()); empty on `t`. */
    readonly about: readonly string[] = [],
  ) {}

  /**
   * Work for the case's cleanup, run (last registered first) before its containers are
   * killed and deleted, on every path: for what a case makes outside the runtime's
   * operations (an engine's containers). Returns notes on what it had to force.
   */
  onCleanup(fn: () => Promise<string[] | void>): void {
    this.record.cleanups.push(fn);
  }

  /** Runs the onCleanup work; each runs even when one before it threw. */
  async runCleanups(): Promise<string[]> {
    const notes: string[] = [];
    for (const fn of this.record.cleanups.splice(0).reverse()) {
      try {
        notes.push(...((await fn()) ?? []));
      } catch (e) {
        notes.push(`cleanup failed: ${(e as Error).message}`);
      }
    }
    return notes;
  }

  /**
   * Remembers a container process seen some other way than `state` (an engine's): cleanup
   * notes it if it still runs at the end (it never kills by a pid it was told).
   */
  track(pid: number): void {
    if (pid <= 0 || this.pids.has(pid)) return;
    this.record.pids.set(pid, startTime(pid));
  }

  get failures(): readonly Failure[] {
    return this.record.failures;
  }
  get notes(): readonly string[] {
    return this.record.notes;
  }
  /** The requirements some assertion was about, passed or failed. */
  get asserted(): ReadonlySet<string> {
    return this.record.asserted;
  }
  /** The requirements the case could not judge in this run. */
  get notJudged(): ReadonlySet<string> {
    return this.record.unjudged;
  }
  /** Container pids seen in any state, with their start times: cleanup notes those still running (never kills by them). */
  get pids(): Map<number, string | undefined> {
    return this.record.pids;
  }

  /**
   * The same case, with its assertions (equal, ok, expectError, fail) about requirement
   * `id`, which the case must cite. `t.req(id)` can go wherever `t` goes (support helpers
   * take it as their `t`); everything else is shared with `t`. Several IDs: the assertion
   * checks each (the spec says one thing in two places), and a failure fails each.
   */
  req(...ids: [string, ...string[]]): CaseContext {
    for (const id of ids) {
      if (!this.requirements.includes(id))
        throw new HarnessError(`t.req('${id}'): the case does not cite ${id} (it cites ${this.requirements.join(', ') || 'nothing'})`);
    }
    return new CaseContext(this.env, this.rt, this.bundle, this.dir, this.id, this.bundleFactory, this.services, this.requirements, this.record, ids);
  }

  /** The same case, with its assertions about every requirement it cites (one observation that shows them all). */
  all(): CaseContext {
    const [first, ...rest] = this.requirements;
    if (first === undefined) throw new HarnessError('all(): the case cites no requirement');
    return this.req(first, ...rest);
  }

  /**
   * The failures `judge` would record about facts already gathered, without recording
   * them: for comparing a run with a control run. `judge` must not run containers.
   */
  trial(judge: (t: CaseContext) => void): readonly Failure[] {
    const scratch = new CaseRecord();
    // What the judge finds is all that counts here, not which requirement it is about.
    const about = this.about.length ? this.about : this.requirements;
    judge(new CaseContext(this.env, this.rt, this.bundle, this.dir, this.id, this.bundleFactory, this.services, this.requirements, scratch, about));
    return scratch.failures;
  }

  /** Another container id, unique on this host. */
  newId(): string {
    return `${this.id}-${++this.record.seq}`;
  }

  /** Another bundle in this case's directory: the defaults plus `edit`. */
  newBundle(edit?: (b: BundleBuilder) => void): Promise<BuiltBundle> {
    return this.bundleFactory(edit);
  }

  // --- verdicts -------------------------------------------------------------
  // Every assertion is about a requirement: this view's (t.req(id)), or the case's only one.
  // In a case citing several, an assertion on `t` is a bug in the case (a harness error),
  // found on any run that reaches it, passing or not.
  private judged(): readonly string[] {
    const ids = this.about.length ? this.about : this.requirements.length === 1 ? this.requirements : [];
    if (!ids.length) throw new HarnessError(`the case cites ${this.requirements.length} requirements: name the one this assertion checks, t.req(id).equal(…)`);
    for (const id of ids) this.record.asserted.add(id);
    return ids;
  }

  /** Records a failed assertion, once for each requirement it is about. */
  private failed(failure: Failure, ids: readonly string[]): void {
    for (const requirement of ids) this.record.failures.push({ ...failure, requirement });
  }

  /** Records a failure unless actual deep-equals expected. Returns whether it did. */
  equal(actual: unknown, expected: unknown, what: string): boolean {
    const ids = this.judged();
    if (deepEqual(actual, expected)) return true;
    this.failed({ message: `${what}: expected ${show(expected)}, got ${show(actual)}`, expected, actual }, ids);
    return false;
  }

  ok(condition: boolean, what: string, detail?: { expected?: unknown; actual?: unknown }): boolean {
    const ids = this.judged();
    if (!condition) this.failed({ message: what, ...detail }, ids);
    return condition;
  }

  /**
   * The spec only promises that an error is generated: a non-zero exit. A hang or a
   * crash (killed by a signal) is not an error report, and is a failure.
   */
  expectError(r: CallResult, what: string): boolean {
    if (r.timedOut) return this.ok(false, `${what}: expected an error, but ${r.summary}`);
    if (r.spawnError) return this.ok(false, `${what}: ${r.summary}`);
    if (r.signal) return this.ok(false, `${what}: expected an error exit, but the runtime ${r.summary.replace(/^\S+ /, '')}`);
    return this.ok(r.code !== 0, `${what}: expected an error, but ${r.argv[r.argv.indexOf('--root') + 2]} succeeded`);
  }

  /** Ends the case: the requirement is not met, and the case cannot go on. */
  fail(message: string, detail?: { expected?: unknown; actual?: unknown }): never {
    this.failed({ message, ...detail }, this.judged());
    throw new Abort(message);
  }

  /**
   * Ends the case: an operation the check needed did not succeed (the operations below use
   * it). On `t` that fails every requirement the case cites, none of which could be judged;
   * on `t.req(id)` (say, a create that the requirement itself expects to succeed), only `id`.
   */
  abort(message: string, detail?: { expected?: unknown; actual?: unknown }): never {
    for (const id of this.about) this.record.asserted.add(id);
    if (this.about.length) this.failed({ message, ...detail }, this.about);
    else this.record.failures.push({ message, ...detail });
    throw new Abort(message);
  }

  /**
   * This view's requirement cannot be judged in this run (what the runtime did is consistent
   * with it both held and not): its verdict is `unchecked`, unless an assertion about it
   * failed. The reason is noted. Not on `t` in a case citing several.
   */
  unjudged(reason: string): void {
    const ids = this.about.length ? this.about : this.requirements.length === 1 ? this.requirements : [];
    if (!ids.length) throw new HarnessError('unjudged() needs the requirement: t.req(id).unjudged(…)');
    for (const id of ids) this.record.unjudged.add(id);
    this.note(`${ids.join(', ')} not judged: ${reason}`);
  }

  /** Ends the case as skipped; the reason says which condition was missing. */
  skip(reason: string): never {
    throw new Skip(reason);
  }

  /** Information that is not a verdict. */
  note(text: string): void {
    this.record.notes.push(text);
  }

  // --- host-side helpers -----------------------------------------------------

  /** Starts a host process for the duration of the case (killed at cleanup). */
  background(argv: string[]): ChildProcess {
    refuseIfHalted();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // reported through the missing pid below
    this.record.children.push(child);
    return child;
  }

  /**
   * A host process that sits in new namespaces of the given kinds (via util-linux
   * `unshare`), for cases that join namespaces by path. Returns its pid once the
   * namespaces exist.
   */
  async holdNamespaces(kinds: NamespaceKind[]): Promise<number> {
    const flag: Record<NamespaceKind, string> = {
      pid: '--pid',
      network: '--net',
      mount: '--mount',
      ipc: '--ipc',
      uts: '--uts',
      user: '--user',
      cgroup: '--cgroup',
      time: '--time',
    };
    // pid and time namespaces apply to children only: unshare must fork.
    const fork = kinds.includes('pid') || kinds.includes('time');
    const child = this.background(['unshare', ...kinds.map((k) => flag[k]), ...(fork ? ['--fork'] : []), 'sleep', '1000000']);
    const failed = () => new Error(`could not start a holder in new ${kinds.join(', ')} namespaces with unshare(1)`);
    const holder = await poll(
      () => {
        const pid = child.pid && fork ? firstChild(child.pid) : child.pid;
        if (pid) {
          const ns = namespacesOf(pid);
          if (kinds.every((k) => ns[k] !== undefined && ns[k] !== this.env.host.hostNs[k])) return pid;
        }
        if (child.exitCode !== null) throw failed();
        return undefined;
      },
      { timeoutMs: this.rt.rt.timeoutMs, pauseMs: 10, maxPauseMs: 10 },
    );
    if (holder === undefined) throw failed();
    return holder;
  }

  /** /proc/PID/ns/<file> for a namespace kind, the path a config can join. */
  nsPath(pid: number, kind: NamespaceKind): string {
    return `/proc/${pid}/ns/${NS_FILE[kind]}`;
  }

  /** Kills what background() started and waits until it is gone. */
  async stopBackground(): Promise<void> {
    for (const c of this.record.children) {
      if (c.pid && c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await pidsGone(
      this.record.children.flatMap((c) => (c.pid ? [c.pid] : [])),
      5000,
    );
  }

  // --- operations that must succeed ---------------------------------------

  async create(opts: { id?: string; bundle?: BuiltBundle } = {}): Promise<ContainerState> {
    const id = opts.id ?? this.id;
    await this.createOnly({ id, bundle: opts.bundle });
    const st = await this.state(id);
    if (st.status !== 'created') this.abort(`after create, status is ${show(st.status)}, not "created"`, { expected: 'created', actual: st.status });
    return st;
  }

  /**
   * `create`, which must succeed, for a probe: `state` after it only when the reaper holds
   * nothing create left (stateUnlessHeld); the probe's end, or the caller's own next
   * `state`, stands in for it otherwise.
   */
  async createForProbe(opts: { id?: string; bundle?: BuiltBundle } = {}): Promise<void> {
    await this.createOnly(opts);
    await this.stateUnlessHeld(opts.id ?? this.id);
  }

  /** `create`, which must succeed, with no `state` after it. */
  private async createOnly(opts: { id?: string; bundle?: BuiltBundle } = {}): Promise<void> {
    const id = opts.id ?? this.id;
    const bundle = opts.bundle ?? this.bundle;
    const r = await this.rt.create(id, bundle.dir);
    if (!r.ok) {
      await this.skipIfVersionRefused(id, bundle, r);
      this.abort(callFailure(`create ${id}`, r));
    }
  }

  /**
   * After a create that succeeded, for a probe or a caller that asks `state` itself later
   * on: `state` now, unless the reaper holds what create left (the container), whose exit
   * then ends the waits that would need its pid. A create that left nothing running (a
   * daemon's runtime, or one that did nothing at all) is asked at once: a broken runtime
   * fails here, not at the end of a wait for output that never comes.
   */
  async stateUnlessHeld(id = this.id): Promise<ContainerState | undefined> {
    return this.rt.holdsCreated(id) ? undefined : this.state(id);
  }

  /**
   * A bundle of a newer spec release than BASE_OCI_VERSION (a case about a newer field),
   * refused cleanly by a runtime that does not say (features.ociVersionMax) which release
   * it implements. config.md: a config of 1.1 "is not compatible with a runtime that
   * supports 1.0 and not 1.1", so the refusal may be about the version alone (crun 1.8.1:
   * "unknown version specified"). A control create of the same bundle at BASE_OCI_VERSION
   * tells: if that one is accepted, the case skips, saying so; if not, the refusal stands.
   */
  private async skipIfVersionRefused(id: string, bundle: BuiltBundle, r: CallResult): Promise<void> {
    const version = bundle.config.ociVersion;
    const mine = parseSemVer(version);
    const base = parseSemVer(BASE_OCI_VERSION)!;
    if (r.timedOut || r.signal || !mine || compareSemVer(mine, base) <= 0) return;
    if (this.env.runtime.features?.ociVersionMax) return;
    const file = join(bundle.dir, 'config.json');
    const original = readFileSync(file, 'utf8');
    const control = `${id}-v`;
    let accepted = false;
    try {
      writeFileSync(file, JSON.stringify({ ...bundle.config, ociVersion: BASE_OCI_VERSION }, null, 2));
      accepted = (await this.rt.create(control, bundle.dir)).ok;
    } finally {
      if (accepted) await this.rt.delete(control, true);
      writeFileSync(file, original);
    }
    if (accepted) {
      this.skip(
        `the runtime refused this bundle of runtime-spec ${version} (${callFailure('create', r)}) and accepted it as ${BASE_OCI_VERSION}; it has no features saying which release it implements, and config.md has a newer config "not compatible with a runtime that supports" only an older release`,
      );
    }
  }

  /**
   * `create --console-socket PATH` for a `terminal: true` bundle, with a receiver for the
   * pty master listening on PATH (harness/process/console-receiver.ts; killed at cleanup). Raw like
   * `rt.create`: the spec names no way to hand over the pty, so what a refusal means is
   * the caller's to say. `input` goes to the terminal as soon as the master arrives.
   * A create that succeeded is asked `state` as a probe's is (stateUnlessHeld).
   */
  async createWithConsole(opts: { id?: string; bundle?: BuiltBundle; input?: string } = {}): Promise<{ result: CallResult; tty: ConsoleReceiver }> {
    const id = opts.id ?? this.id;
    const tty = await startConsoleReceiver(this, { input: opts.input });
    const result = await this.rt.create(id, (opts.bundle ?? this.bundle).dir, ['--console-socket', tty.socket]);
    if (result.ok) await this.stateUnlessHeld(id);
    return { result, tty };
  }

  async start(id = this.id): Promise<void> {
    const r = await this.rt.start(id);
    if (!r.ok) this.abort(callFailure(`start ${id}`, r));
  }

  async kill(signal: string, id = this.id): Promise<void> {
    const r = await this.rt.kill(id, signal);
    if (!r.ok) this.abort(callFailure(`kill ${id} ${signal}`, r));
  }

  async delete(id = this.id): Promise<void> {
    const r = await this.rt.delete(id);
    if (!r.ok) this.abort(callFailure(`delete ${id}`, r));
  }

  /** `state`, which must succeed and print a JSON object with a string status. */
  async state(id = this.id): Promise<ContainerState> {
    return this.stateOf(await this.rt.state(id), id);
  }

  stateOf(r: StateResult, id: string): ContainerState {
    if (!r.ok) this.abort(callFailure(`state ${id}`, r));
    if (!r.state) this.abort(`state ${id}: ${r.parseError}: ${firstLines(r.stdout)}`);
    const st = r.state as ContainerState;
    if (typeof st.status !== 'string') this.abort(`state ${id}: no string "status" in ${show(st)}`);
    if (typeof st.pid === 'number') this.track(st.pid);
    return st;
  }

  /**
   * Polls `state` until the status is reached (never a fixed sleep). For "stopped", not
   * while the process the last state reported visibly still runs (Driver.waitStopped).
   */
  async waitStatus(status: string, opts: { id?: string; timeoutMs?: number } = {}): Promise<ContainerState> {
    const id = opts.id ?? this.id;
    const timeoutMs = opts.timeoutMs ?? this.rt.rt.timeoutMs;
    let last: ContainerState | undefined;
    let reached: ContainerState | undefined;
    if (status === 'stopped') {
      await this.rt.waitStopped(id, timeoutMs, (r) => (last = this.stateOf(r, id)));
      if (last?.status === status) reached = last;
    } else {
      reached = await poll(
        async () => {
          last = await this.state(id);
          return last.status === status && last;
        },
        { timeoutMs, pauseMs: 10, maxPauseMs: 100 },
      );
    }
    return (
      reached ?? this.abort(`container ${id} did not reach status "${status}" in time (still "${last?.status}")`, { expected: status, actual: last?.status })
    );
  }

  stdout(id = this.id): string {
    return readIfExists(this.rt.stdioPath(id, 'stdout'));
  }

  stderr(id = this.id): string {
    return readIfExists(this.rt.stdioPath(id, 'stderr'));
  }

  /** Polls the container's stdout until `marker` appears on a line of its own. */
  async waitOutput(marker: string, opts: { id?: string; timeoutMs?: number } = {}): Promise<string> {
    const id = opts.id ?? this.id;
    const timeoutMs = opts.timeoutMs ?? this.rt.rt.timeoutMs;
    let nextStateCheck = Date.now() + 500;
    const printed = await poll(
      async () => {
        const out = this.stdout(id);
        if (out.split('\n').includes(marker)) return out;
        // A process that died early will never print the marker: say so without waiting out the deadline.
        const stopped = Date.now() > nextStateCheck && (await this.rt.state(id)).state?.status === 'stopped';
        if (stopped && !this.stdout(id).split('\n').includes(marker)) {
          const err = firstLines(this.stderr(id));
          this.abort(`the container's process stopped without printing ${marker}` + (err ? ` (its stderr: ${err})` : ''));
        }
        if (Date.now() > nextStateCheck) nextStateCheck = Date.now() + 500;
        return undefined;
      },
      { timeoutMs, pauseMs: 5, maxPauseMs: 50 },
    );
    if (printed !== undefined) return printed;
    const err = firstLines(this.stderr(id));
    this.abort(
      `the container's process did not print ${marker} within ${(timeoutMs / 1000).toFixed(0)}s` +
        (err ? ` (its stderr: ${err})` : this.stdout(id) ? '' : ' (no output at all)'),
    );
  }

  /**
   * Runs the bundle's probe: create, start, wait for its facts. With `--hold` in
   * the probe's args the container is left running (facts.ready), and `state` after
   * create says it is created and names its pid, as with create(). Otherwise this also
   * waits until it is stopped, and asks `state` after create only when the reaper holds
   * nothing create left (stateUnlessHeld): the probe's output is what the case judges (a
   * container that is not created cannot be started), and the wait for its end rests on
   * what create left exiting (Driver.waitStopped).
   */
  async probe(opts: { id?: string; bundle?: BuiltBundle } = {}): Promise<ProbeFacts> {
    const id = opts.id ?? this.id;
    const bundle = opts.bundle ?? this.bundle;
    const hold = bundle.config.process?.args?.includes('--hold') ?? false;
    if (hold) await this.create({ id, bundle });
    else await this.createForProbe({ id, bundle });
    await this.start(id);
    const out = await this.waitOutput(hold ? '@@ready' : '@@done', { id });
    if (!hold) await this.waitEnded(id);
    return parseProbe(out);
  }

  /**
   * Waits until the container is stopped or, without a runtime call, until the process
   * its last `state` reported, or all its create left, is visibly gone (a host fact):
   * cleanup's delete then says whether the runtime agrees, and takes the long way if
   * not. For a case that waits for its process's end before it judges what it printed:
   * not a check of `state` (the status cases make that one, with waitStatus).
   */
  async waitEnded(id = this.id): Promise<void> {
    let last: ContainerState | undefined;
    const r = await this.rt.waitStopped(id, this.rt.rt.timeoutMs, (s) => (last = this.stateOf(s, id)), { exitSuffices: true });
    if (r !== 'exited' && last?.status !== 'stopped') {
      this.abort(`container ${id} did not reach status "stopped" in time (still "${last?.status}")`, { expected: 'stopped', actual: last?.status });
    }
  }
}

/** At most this much of a container's stdout/stderr file is read (a runtime may flood it). */
const STDIO_READ_MAX = 8 << 20;

function readIfExists(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = Math.min(fstatSync(fd).size, STDIO_READ_MAX);
    const buf = Buffer.alloc(size);
    return buf.subarray(0, readSync(fd, buf, 0, size, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function firstChild(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}
