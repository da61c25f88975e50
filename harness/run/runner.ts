// Runs planned cases N at a time: bundle, check, cleanup, verdict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { validateConfigText } from '../../schemas/validate.js';
import type { Reporter } from './reporter.js';
import { applyBaseline, type Baseline } from './baseline.js';
import { BundleBuilder, stringifyConfig } from '../case/bundle.js';
import type { Case } from '../case/case.js';
import { cleanupCgroups, cleanupContainers, removeTree, step, strayPids } from '../host/cleanup.js';
import { CaseContext, type BuiltBundle } from '../case/context.js';
import { Driver, type RuntimeCommand } from '../process/driver.js';
import { unmetNeed, type Env } from '../host/env.js';
import { Abort, HarnessError, SetupError, Skip } from '../errors.js';
import { CONVENTIONS, judge, uniformChecks, type CaseResult, type Failure, type Outcome, type RequirementCheck } from './result.js';
import { requirementById, type Level } from '../../spec/index.js';
import { Mounter, provideRootfs, releaseRootfs } from '../host/rootfs.js';
import { Deadline } from '../process/wait.js';
import { CheckScope } from '../process/halt.js';
import type { Services } from '../host/services.js';
import { cleanupTimer, recordBundle, timed } from './timing.js';
import { startOrder } from './plan.js';

export interface RunOptions {
  rt: RuntimeCommand;
  env: Env;
  /** This run's directory; each case gets a subdirectory. */
  runDir: string;
  /** The cached rootfs to copy into each bundle. */
  rootfs: string;
  jobs: number;
  keep: boolean;
  baseline?: Baseline;
  reporter: Reporter;
  /** Aborted on Ctrl-C: no new case starts, running ones stop and clean up. */
  signal?: AbortSignal;
  /** Whole-case deadline, on top of each runtime call's own. */
  caseTimeoutMs?: number;
  /** Short random tag that keeps container ids unique across concurrent runs. */
  tag: string;
  /** What cases share for the run (started on demand; the caller stops them at the end). */
  services: Services;
  /** performance.now() at the run's start: each result's startMs counts from it. */
  t0?: number;
  /**
   * A case's expected cost (ms): the pool starts the costliest first, so that no long
   * case is left running alone at the end while the other jobs sit idle. Without it,
   * cases start in plan order.
   */
  costMs?: (id: string) => number;
}

class CaseTimeout extends Error {}

/** The run was interrupted while the case ran: it has no verdict, and is not reported. */
class Interrupted extends Error {}

/**
 * How long a halted check may take to unwind beyond the runtime's timeout (the call it is
 * in): the reaper's grace to kill what a call left, and some.
 */
const HALT_GRACE_MS = 15_000;

/** How much of the runtime's calls a failed case keeps for the reports. */
const RUNTIME_LOG_MAX = 4000;

/** A container id unique on this host, readable in `ps` and logs. */
export function containerId(caseId: string, tag: string): string {
  return `${caseId.replace(/[^a-z0-9]+/g, '-').slice(0, 48)}-${tag}`;
}

/**
 * Runs the cases, costliest first (o.costMs); the results come in plan order. After an
 * interrupt (o.signal) no case starts, and the cases it cut short have no result: nothing
 * is blamed on the runtime for an interruption.
 */
export async function runCases(cases: readonly Case[], o: RunOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  const order = startOrder(cases, o.costMs);
  let next = 0;
  const worker = async () => {
    while (next < order.length && !o.signal?.aborted) {
      const i = order[next++]!;
      const c = cases[i]!;
      o.reporter.caseStarted?.(c.id);
      const finished = await timed(() => runCase(c, o));
      if (!finished) continue;
      const r = applyBaseline(finished, o.baseline);
      results[i] = r;
      o.reporter.caseFinished(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, cases.length)) }, worker));
  return results.filter(Boolean);
}

/** One case, bundle to cleanup; undefined when an interrupt cut it short. */
export async function runCase(c: Case, o: RunOptions): Promise<CaseResult | undefined> {
  const started = performance.now();
  const base = { id: c.id, area: c.area, title: c.title, requirements: c.requirements, ...(c.convention ? { convention: c.convention } : {}) };
  let cited: { id: string; level: Level }[];
  try {
    cited = citedRequirements(c);
  } catch (e) {
    return { ...base, checks: [], outcome: 'error', message: (e as Error).message, failures: [], notes: [], durationMs: 0 };
  }
  const done = (
    outcome: Outcome,
    message: string | undefined,
    checks: RequirementCheck[],
    failures: Failure[] = [],
    notes: string[] = [],
    dir?: string,
    runtimeLog?: string,
  ): CaseResult => ({
    ...base,
    checks,
    outcome,
    message,
    failures,
    notes,
    durationMs: Math.round(performance.now() - started),
    ...(o.t0 !== undefined ? { startMs: Math.max(0, Math.round(started - o.t0)) } : {}),
    dir,
    ...(runtimeLog ? { runtimeLog } : {}),
  });

  for (const need of c.needs ?? []) {
    const reason = unmetNeed(need, o.env);
    if (reason) return done('skip', reason, uniformChecks(cited, 'skip'));
  }

  const caseDir = join(o.runDir, c.id);
  mkdirSync(join(caseDir, 'files'), { recursive: true });
  mkdirSync(join(caseDir, 'state'), { recursive: true });
  // For fixture runtimes (e.g. the strip self-test): what this case exercises.
  writeFileSync(join(caseDir, 'case.json'), `${JSON.stringify({ id: c.id, exercises: c.exercises ?? [], tamper: c.tamper ?? {} })}\n`);
  const driver = new Driver(o.rt, join(caseDir, 'state'), caseDir);
  let bundles = 0;
  const rootfsMounts: string[] = [];
  /** The case's overlay layers, when outside its directory (the mounter's tmpfs). */
  let layersDir: string | undefined;
  const makeBundle = async (edit?: (b: BundleBuilder) => void, invalid = false): Promise<BuiltBundle> => {
    const started = performance.now();
    try {
      return await buildBundle(edit, invalid);
    } finally {
      recordBundle(performance.now() - started);
    }
  };
  const buildBundle = async (edit: ((b: BundleBuilder) => void) | undefined, invalid: boolean): Promise<BuiltBundle> => {
    const dir = join(caseDir, bundles++ ? `bundle-${bundles}` : 'bundle');
    mkdirSync(dir);
    const b = new BundleBuilder(dir, join(caseDir, 'files'));
    edit?.(b);
    // Where its root cannot reach the bundle, the runtime would be blamed for the host's setup.
    if (o.env.closedWorkdir && rootMappedElsewhere(b.config)) {
      throw new Skip(
        `needs its bundle reachable by the container's root, another host uid in its user namespace: --workdir is below ${o.env.closedWorkdir}, which others may not enter`,
      );
    }
    const mounted = await materialize(b, o, caseDir, (layers) => (layersDir = layers));
    if (mounted) rootfsMounts.push(mounted);
    // The text, not the object: it is what the runtime reads (exact digits of big integers included).
    const errors = validateConfigText(stringifyConfig(b.config), dir).problems.filter((p) => p.level === 'error');
    if (invalid && !errors.length) throw new HarnessError('the case says its config is invalid, but our validator finds nothing wrong with it');
    if (!invalid && errors.length)
      throw new HarnessError(`the case generated an invalid config.json: ${errors.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
    return { dir, config: b.config, builder: b };
  };

  let ctx: CaseContext | undefined;
  let interrupted = false;
  /** The check ran: judge its assertions (undefined: it skipped or the harness failed). */
  let ran: { completed: boolean } | undefined;
  let outcome: 'skip' | 'error' | undefined;
  let message: string | undefined;
  const notes: string[] = [];
  /** A failure of the whole case that no assertion recorded (it ran out of time). */
  const extra: Failure[] = [];
  const scope = new CheckScope();
  let checking: Promise<void> | undefined;
  /** Why the check was given up before it ended, if it was. */
  let givenUp: Error | undefined;
  try {
    const bundle = await makeBundle((b) => c.bundle?.(b, o.env), c.invalid);
    ctx = new CaseContext(o.env, driver, bundle, caseDir, containerId(c.id, o.tag), (edit) => makeBundle(edit), o.services, c.requirements);
    const t = ctx;
    checking = scope.run(() => c.check(t));
    await withDeadline(checking, o.caseTimeoutMs ?? 120_000, o.signal);
    ran = { completed: true };
  } catch (e) {
    if (e instanceof Skip) {
      outcome = 'skip';
      message = e.message;
    } else if (e instanceof Abort) {
      ran = { completed: false };
    } else if (e instanceof Interrupted) {
      interrupted = true;
      givenUp = e;
    } else if (e instanceof CaseTimeout) {
      givenUp = e;
      ran = { completed: false };
      extra.push({ message: e.message });
      message = e.message;
    } else {
      outcome = 'error';
      message = e instanceof HarnessError || e instanceof SetupError ? e.message : `harness error: ${(e as Error).stack ?? String(e)}`;
    }
  } finally {
    // Given up (interrupted, or past its deadline), the check may still be running: it is
    // halted, and cleanup waits for it to unwind, so that it creates nothing behind cleanup.
    if (checking && givenUp) {
      scope.halt(givenUp);
      if (!(await settles(checking, o.rt.timeoutMs + HALT_GRACE_MS)))
        notes.push(`the check did not end within ${Math.round((o.rt.timeoutMs + HALT_GRACE_MS) / 1000)}s of being given up: cleaned up beside it`);
    }
    const cleanedUp = cleanupTimer();
    // Each step on its own: one that fails is noted, and the others still run.
    await step(notes, "the case's own cleanup", async () => notes.push(...((await ctx?.runCleanups()) ?? [])));
    await step(notes, 'containers', async () => notes.push(...(await cleanupContainers(driver))));
    await step(notes, 'background processes', () => ctx?.stopBackground());
    await step(notes, 'cgroups', async () => notes.push(...(await cleanupCgroups(driver.cgroupsMade, driver.created))));
    await step(notes, 'pids state reported', () => notes.push(...strayPids(ctx?.pids ?? new Map())));
    for (const m of rootfsMounts) await step(notes, `rootfs ${m}`, async () => releaseRootfs(m, await mounterOf(o.services)));
    if (layersDir) await step(notes, layersDir, () => notes.push(...removeTree(layersDir!)));
    if (!o.keep) await step(notes, caseDir, () => notes.push(...removeTree(caseDir)));
    notes.unshift(...driver.notes);
    cleanedUp();
  }

  if (interrupted) return undefined;
  const failures = [...(ctx?.failures ?? []), ...extra];
  notes.unshift(...(ctx?.notes ?? []));
  const dir = o.keep ? caseDir : undefined;
  if (!ran) return done(outcome!, message, uniformChecks(cited, outcome!), failures, notes, dir, outcome === 'error' ? callsLog(driver) : undefined);
  const verdict = judge(cited, failures, ctx?.asserted ?? new Set(), ran.completed, ctx?.notJudged);
  if (verdict.outcome !== 'pass' && !message) message = firstFailure(verdict.outcome, failures, cited);
  const log = verdict.outcome === 'fail' ? callsLog(driver) : undefined;
  if (c.disputed) {
    const did = verdict.outcome === 'pass' ? 'the runtime did what the case looks for' : `the runtime: ${message}`;
    return done('disputed', `${did} (disputed: ${c.disputed})`, uniformChecks(cited, 'disputed'), failures, notes, dir, log);
  }
  if (c.convention && verdict.outcome === 'fail') {
    // A convention beyond the spec, not followed: reported (as a warning, with the
    // convention's name), never a spec violation: it finds nothing about the requirements
    // the case goes through, and fails no run.
    return done('warn', `${CONVENTIONS[c.convention]} not followed: ${message}`, uniformChecks(cited, 'unchecked'), failures, notes, dir, log);
  }
  return done(verdict.outcome, message, verdict.checks, failures, notes, dir, log);
}

/** The runtime calls of a case that did not pass: the end of its calls.log, for the reports. */
function callsLog(driver: Driver): string | undefined {
  const text = driver.transcript.join('');
  if (!text.trim()) return undefined;
  if (text.length <= RUNTIME_LOG_MAX) return text;
  const cut = text.slice(-RUNTIME_LOG_MAX);
  const nl = cut.indexOf('\n');
  return `[…]\n${nl >= 0 ? cut.slice(nl + 1) : cut}`;
}

/** The case's requirements with their levels; an ID the catalogue lacks is a bug in the case. */
function citedRequirements(c: Case): { id: string; level: Level }[] {
  return c.requirements.map((id) => {
    const req = requirementById(id);
    if (!req) throw new HarnessError(`the case cites ${id}, which the requirement catalogue (spec/) does not have`);
    return { id, level: req.level };
  });
}

/** The message of a failed or warning case: its first failure that made it so. */
function firstFailure(outcome: 'warn' | 'fail', failures: readonly Failure[], cited: readonly { id: string; level: Level }[]): string | undefined {
  const level = (f: Failure) => cited.find((c) => c.id === f.requirement)?.level;
  const decisive =
    outcome === 'warn'
      ? failures[0]
      : (failures.find((f) => {
          const l = level(f);
          return l === undefined || l === 'MUST' || l === 'MUST NOT';
        }) ?? failures[0]);
  if (!decisive) return undefined;
  const l = level(decisive);
  return outcome === 'warn' && l ? `${l} not followed: ${decisive.message}` : decisive.message;
}

export { HarnessError };

/**
 * Puts the rootfs and the case's files in place. With --keep the rootfs is a full copy,
 * so that a kept bundle can be run again by hand; otherwise an overlay of the cached
 * rootfs (returned, to unmount at cleanup).
 */
async function materialize(
  b: BundleBuilder,
  o: Pick<RunOptions, 'rootfs' | 'keep' | 'services'>,
  caseDir: string,
  onTmpfs: (layers: string) => void,
): Promise<string | undefined> {
  const rootPath = b.config.root?.path;
  let mounted: string | undefined;
  if (rootPath !== undefined && !b.skipRootfs) {
    const target = isAbsolute(rootPath) ? rootPath : join(b.dir, rootPath);
    if (relative(caseDir, target).startsWith('..')) throw new HarnessError(`root.path ${rootPath} is outside the case directory`);
    const copy = o.keep || b.plainRootfs;
    const mounter = copy ? undefined : await mounterOf(o.services);
    // The overlay's upper and work directories: on the mounter's tmpfs, or in the case directory.
    const layers = mounter?.layers ? join(mounter.layers, basename(caseDir)) : join(caseDir, '.layers');
    if (mounter?.layers) onTmpfs(layers);
    mounted = await provideRootfs(o.rootfs, target, join(layers, basename(b.dir)), { copy, mounter });
  }
  b.writeFiles();
  return mounted;
}

/** The config has a user namespace whose root is not host root (a joined one's maps are the holder's: not host root either). */
function rootMappedElsewhere(config: BundleBuilder['config']): boolean {
  const linux = config.linux;
  if (!linux?.namespaces?.some((n) => n.type === 'user')) return false;
  return !linux.uidMappings?.some((m) => m.containerID === 0 && m.hostID === 0);
}

/** The run's mount helper (a service, started by the first case); undefined once the run is ending. */
function mounterOf(services: Services): Promise<Mounter | undefined> {
  return services.get('mounter', (site) => Mounter.start(site.dir)).catch(() => undefined);
}

/** Whether p settles (either way) within ms, as a Deadline counts them. */
function settles(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = new Deadline(ms, 3).onExpiry(() => resolve(false));
    p.then(
      () => resolve(true),
      () => resolve(true),
    ).finally(cancel);
  });
}

function withDeadline<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = new Deadline(ms, 3).onExpiry(() => reject(new CaseTimeout(`the case did not finish within ${ms / 1000}s`)));
    const onAbort = () => reject(new Interrupted('interrupted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      cancel();
      signal?.removeEventListener('abort', onAbort);
    });
  });
}
