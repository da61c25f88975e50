// Runs planned cases N at a time: bundle, check, cleanup, verdict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { validateConfigText } from './validate.js';
import type { Reporter } from '../reports/reporter.js';
import { applyBaseline, type Baseline } from './baseline.js';
import { BundleBuilder, stringifyConfig } from './bundle.js';
import { Abort, Skip, type Case } from './case.js';
import { cleanupCgroups, cleanupContainers, removeTree } from './cleanup.js';
import { CaseContext, type BuiltBundle } from './context.js';
import { Driver, type RuntimeCommand } from './driver.js';
import { unmetNeed, type Env } from './env.js';
import type { CaseResult, Failure, Outcome } from './result.js';
import { provideRootfs, releaseRootfs } from './rootfs.js';
import { Deadline } from './wait.js';

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
}

class CaseTimeout extends Error {}

/** A container id unique on this host, readable in `ps` and logs. */
export function containerId(caseId: string, tag: string): string {
  return `${caseId.replace(/[^a-z0-9]+/g, '-').slice(0, 48)}-${tag}`;
}

export async function runCases(cases: readonly Case[], o: RunOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length && !o.signal?.aborted) {
      const i = next++;
      const c = cases[i]!;
      o.reporter.caseStarted?.(c.id);
      const r = applyBaseline(await runCase(c, o), o.baseline);
      results[i] = r;
      o.reporter.caseFinished(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, cases.length)) }, worker));
  return results.filter(Boolean);
}

export async function runCase(c: Case, o: RunOptions): Promise<CaseResult> {
  const started = performance.now();
  const base = { id: c.id, area: c.area, title: c.title, requirements: c.requirements };
  const done = (outcome: Outcome, message: string | undefined, failures: Failure[] = [], notes: string[] = [], dir?: string): CaseResult => ({
    ...base,
    outcome,
    message,
    failures,
    notes,
    durationMs: Math.round(performance.now() - started),
    dir,
  });

  for (const need of c.needs ?? []) {
    const reason = unmetNeed(need, o.env);
    if (reason) return done('skip', reason);
  }

  const caseDir = join(o.runDir, c.id);
  mkdirSync(join(caseDir, 'files'), { recursive: true });
  mkdirSync(join(caseDir, 'state'), { recursive: true });
  // For fixture runtimes (e.g. the strip self-test): what this case exercises.
  writeFileSync(join(caseDir, 'case.json'), `${JSON.stringify({ id: c.id, exercises: c.exercises ?? [] })}\n`);
  const driver = new Driver(o.rt, join(caseDir, 'state'), caseDir);
  let bundles = 0;
  const rootfsMounts: string[] = [];
  const makeBundle = async (edit?: (b: BundleBuilder) => void, invalid = false): Promise<BuiltBundle> => {
    const dir = join(caseDir, bundles++ ? `bundle-${bundles}` : 'bundle');
    mkdirSync(dir);
    const b = new BundleBuilder(dir, join(caseDir, 'files'));
    edit?.(b);
    const mounted = materialize(b, o.rootfs, caseDir, o.keep);
    if (mounted) rootfsMounts.push(mounted);
    // The text, not the object: it is what the runtime reads (exact digits of big integers included).
    const errors = validateConfigText(stringifyConfig(b.config), dir).problems.filter((p) => p.level === 'error');
    if (invalid && !errors.length) throw new HarnessError('the case says its config is invalid, but our validator finds nothing wrong with it');
    if (!invalid && errors.length) throw new HarnessError(`the case generated an invalid config.json: ${errors.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
    return { dir, config: b.config, builder: b };
  };

  let ctx: CaseContext | undefined;
  let outcome: Outcome = 'pass';
  let message: string | undefined;
  const notes: string[] = [];
  try {
    const bundle = await makeBundle((b) => c.bundle?.(b, o.env), c.invalid);
    ctx = new CaseContext(o.env, driver, bundle, caseDir, containerId(c.id, o.tag), (edit) => makeBundle(edit));
    await withDeadline(c.check(ctx), o.caseTimeoutMs ?? 120_000, o.signal);
    if (ctx.failures.length) outcome = 'fail';
  } catch (e) {
    if (e instanceof Skip) {
      outcome = 'skip';
      message = e.message;
    } else if (e instanceof Abort) {
      outcome = 'fail';
    } else if (e instanceof CaseTimeout) {
      outcome = 'fail';
      message = e.message;
    } else {
      outcome = 'error';
      message = e instanceof HarnessError ? e.message : `harness error: ${(e as Error).stack ?? String(e)}`;
    }
  } finally {
    try {
      notes.push(...(await cleanupContainers(driver, ctx?.pids ?? new Map())));
      await ctx?.stopBackground();
      notes.push(...(await cleanupCgroups(ctx?.cgroupDirs ?? new Set(), driver.created)));
    } catch (e) {
      notes.push(`cleanup failed: ${(e as Error).message}`);
    }
    for (const m of rootfsMounts) releaseRootfs(m);
    if (!o.keep) notes.push(...removeTree(caseDir));
  }

  const failures = ctx?.failures ?? [];
  notes.unshift(...(ctx?.notes ?? []));
  if (outcome === 'fail' && !message) message = failures[0]?.message;
  if (c.disputed && (outcome === 'fail' || outcome === 'pass')) {
    const did = outcome === 'fail' ? `the runtime: ${message}` : 'the runtime did what the case looks for';
    return done('disputed', `${did} (disputed: ${c.disputed})`, failures, notes, o.keep ? caseDir : undefined);
  }
  return done(outcome, message, failures, notes, o.keep ? caseDir : undefined);
}

/** A problem of the case or the machine, never of the runtime. */
export class HarnessError extends Error {}

/**
 * Puts the rootfs and the case's files in place. With --keep the rootfs is a full copy,
 * so that a kept bundle can be run again by hand; otherwise an overlay of the cached
 * rootfs (returned, to unmount at cleanup).
 */
function materialize(b: BundleBuilder, rootfs: string, caseDir: string, keep: boolean): string | undefined {
  const rootPath = b.config.root?.path;
  let mounted: string | undefined;
  if (rootPath !== undefined && !b.skipRootfs) {
    const target = isAbsolute(rootPath) ? rootPath : join(b.dir, rootPath);
    if (relative(caseDir, target).startsWith('..')) throw new HarnessError(`root.path ${rootPath} is outside the case directory`);
    mounted = provideRootfs(rootfs, target, join(caseDir, '.layers', basename(b.dir)), { copy: keep || b.plainRootfs });
  }
  b.writeFiles();
  return mounted;
}

function withDeadline<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = new Deadline(ms, 3).onExpiry(() => reject(new CaseTimeout(`the case did not finish within ${ms / 1000}s`)));
    const onAbort = () => reject(new CaseTimeout('interrupted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      cancel();
      signal?.removeEventListener('abort', onAbort);
    });
  });
}
