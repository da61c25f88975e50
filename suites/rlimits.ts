// config.md "POSIX process": rlimits. The probe reads /proc/$$/limits. Values are
// chosen against conform's own limits (which the runtime inherits): lowering a limit
// needs no privilege, raising a hard one needs CAP_SYS_RESOURCE, and each chosen pair
// differs from what the process would inherit, so a runtime that skips a limit fails.
import { readFileSync } from 'node:fs';
import type { BundleBuilder } from '../harness/case/bundle.js';
import { defineCase } from '../harness/case/case.js';
import type { CaseContext } from '../harness/case/context.js';
import type { Env } from '../harness/host/env.js';
import { parseLimits, parseProbe, type LimitValue, type ProbeFacts } from '../harness/probe/parse.js';
import { RLIM_INFINITY, RLIMITS } from '../linux/rlimits.js';
import { attempt, expectRefused } from './support/refuse.js';

type Limit = { soft: LimitValue; hard: LimitValue };
type Pair = { soft: bigint; hard: bigint };

const GiB = 1n << 30n;
const MiB = 1n << 20n;

/** Values any busybox shell runs under comfortably (and the runtime's own init, if it sets limits early). */
const PREFERRED: Readonly<Record<string, Pair>> = {
  RLIMIT_CPU: { soft: 3600n, hard: 7200n },
  RLIMIT_FSIZE: { soft: GiB, hard: 2n * GiB },
  RLIMIT_DATA: { soft: GiB, hard: 2n * GiB },
  RLIMIT_STACK: { soft: 2n * MiB, hard: 4n * MiB },
  RLIMIT_CORE: { soft: MiB, hard: 2n * MiB },
  RLIMIT_RSS: { soft: GiB, hard: 2n * GiB },
  RLIMIT_NPROC: { soft: 1000n, hard: 2000n },
  RLIMIT_NOFILE: { soft: 256n, hard: 512n },
  RLIMIT_MEMLOCK: { soft: 64n * 1024n, hard: 128n * 1024n },
  RLIMIT_AS: { soft: 4n * GiB, hard: 8n * GiB },
  RLIMIT_LOCKS: { soft: 1000n, hard: 2000n },
  RLIMIT_SIGPENDING: { soft: 100n, hard: 200n },
  RLIMIT_MSGQUEUE: { soft: 4096n, hard: 8192n },
  RLIMIT_NICE: { soft: 1n, hard: 2n },
  RLIMIT_RTPRIO: { soft: 1n, hard: 2n },
  RLIMIT_RTTIME: { soft: 1_000_000n, hard: 2_000_000n },
};

/**
 * busybox ash's `ulimit` flag and unit for each type: a fallback reader (getrlimit(2)
 * itself) for kernels without /proc/PID/limits, such as gVisor's. It has no RLIMIT_RTTIME.
 */
const ULIMIT: Readonly<Record<string, { flag: string; unit: bigint }>> = {
  RLIMIT_CPU: { flag: 't', unit: 1n },
  RLIMIT_FSIZE: { flag: 'f', unit: 512n },
  RLIMIT_DATA: { flag: 'd', unit: 1024n },
  RLIMIT_STACK: { flag: 's', unit: 1024n },
  RLIMIT_CORE: { flag: 'c', unit: 512n },
  RLIMIT_RSS: { flag: 'm', unit: 1024n },
  RLIMIT_NPROC: { flag: 'u', unit: 1n },
  RLIMIT_NOFILE: { flag: 'n', unit: 1n },
  RLIMIT_MEMLOCK: { flag: 'l', unit: 1024n },
  RLIMIT_AS: { flag: 'v', unit: 1024n },
  RLIMIT_LOCKS: { flag: 'x', unit: 1n },
  RLIMIT_SIGPENDING: { flag: 'i', unit: 1n },
  RLIMIT_MSGQUEUE: { flag: 'q', unit: 1n },
  RLIMIT_NICE: { flag: 'e', unit: 1n },
  RLIMIT_RTPRIO: { flag: 'r', unit: 1n },
};

/** The probe: /proc/$$/limits, plus `ulimit -S/-H` for the given types. */
function probeLimits(b: BundleBuilder, types: readonly string[]): void {
  const cmds: Record<string, string> = {};
  for (const type of types) {
    const u = ULIMIT[type];
    if (!u) continue;
    cmds[`${type}.soft`] = `ulimit -S -${u.flag}`;
    cmds[`${type}.hard`] = `ulimit -H -${u.flag}`;
  }
  b.probe({ only: ['limits'], cmds });
}

function fromUlimit(facts: ProbeFacts, type: string, which: 'soft' | 'hard'): LimitValue | undefined {
  const r = facts.cmds[`${type}.${which}`];
  const text = r?.output.trim();
  if (!r || r.rc !== 0 || !text) return undefined;
  if (text === 'unlimited') return 'unlimited';
  return /^\d+$/.test(text) ? BigInt(text) * ULIMIT[type]!.unit : undefined;
}

/** A limit as the process sees it: /proc/$$/limits, else getrlimit through `ulimit`, else undefined. */
function limitOf(facts: ProbeFacts, type: string): Limit | undefined {
  const proc = facts.limits?.[type];
  if (proc) return proc;
  const soft = fromUlimit(facts, type, 'soft');
  const hard = fromUlimit(facts, type, 'hard');
  return soft !== undefined && hard !== undefined ? { soft, hard } : undefined;
}

/** limitOf, or skip: a process whose limits cannot be read says nothing about the runtime. */
function readLimit(t: CaseContext, facts: ProbeFacts, type: string): Limit {
  const l = limitOf(facts, type);
  if (!l)
    t.skip(
      `neither /proc/self/limits nor busybox's ulimit shows ${type} inside this runtime's containers (${facts.sections.get('limits')?.split('\n')[0] ?? 'no limits section'})`,
    );
  return l;
}

const CAP_SYS_RESOURCE = 24n;

/** conform's own limits: the ones the runtime, and a process it does not limit, inherit. */
function callerLimits(): Record<string, Limit> {
  return parseLimits(readFileSync('/proc/self/limits', 'utf8'));
}

const asNumber = (v: LimitValue): bigint => (v === 'unlimited' ? RLIM_INFINITY : v);
const asLimit = (v: bigint): LimitValue => (v === RLIM_INFINITY ? 'unlimited' : v);
const hasSysResource = (env: Env) => ((env.host.capEff >> CAP_SYS_RESOURCE) & 1n) === 1n;

/**
 * A soft/hard pair for `type` that the runtime can set here and that differs from the
 * inherited one, or why there is none.
 */
export function choosePair(type: string, caller: Limit | undefined, privileged: boolean): Pair | string {
  const want = PREFERRED[type]!;
  if (!caller) return `/proc/self/limits shows no ${type} row on this kernel`;
  if (privileged) return want;
  const ceiling = asNumber(caller.hard);
  let pair = want;
  if (want.hard > ceiling) {
    if (ceiling < 1n) return `conform's hard ${type} is ${ceiling}: no lower pair differs from it, and raising it needs CAP_SYS_RESOURCE`;
    pair = { soft: ceiling / 2n, hard: ceiling - 1n < ceiling / 2n ? ceiling : ceiling - 1n };
  }
  // Whole ulimit units, so that the fallback reader sees the exact values too.
  const unit = ULIMIT[type]?.unit ?? 1n;
  pair = { soft: pair.soft - (pair.soft % unit), hard: pair.hard - (pair.hard % unit) };
  if (pair.soft === asNumber(caller.soft) && pair.hard === asNumber(caller.hard)) {
    pair = pair.soft >= unit ? { soft: pair.soft - unit, hard: pair.hard } : { soft: pair.soft, hard: pair.hard - unit };
  }
  if (pair.hard < 0n) return `conform's hard ${type} is ${ceiling}: too low to lower in whole units of ${unit}`;
  return pair;
}

/** The limits the case configures, read back from its config (bigints exact). */
function configured(t: CaseContext): Record<string, Limit> {
  const out: Record<string, Limit> = {};
  for (const r of t.bundle.config.process?.rlimits ?? []) {
    out[r.type] = { soft: asLimit(BigInt(r.soft as unknown as bigint)), hard: asLimit(BigInt(r.hard as unknown as bigint)) };
  }
  return out;
}

/** The soft and the hard value, each against its own requirement. */
function expectLimit(t: CaseContext, got: Limit, want: Limit | undefined, what: string): void {
  t.req('config:process.rlimits.soft').equal(got.soft, want?.soft, `${what}: soft`);
  t.req('config:process.rlimits.hard').equal(got.hard, want?.hard, `${what}: hard`);
}

/** Only the given limits, nothing from the defaults (the strip test then removes them all). */
function only(b: BundleBuilder, limits: Record<string, Pair>): void {
  b.set('process.rlimits', []);
  for (const [type, p] of Object.entries(limits)) b.rlimit(type, p.soft, p.hard);
}

function perType(type: string) {
  return defineCase({
    id: `rlimits.${type.slice('RLIMIT_'.length).toLowerCase()}`,
    title: `${type} soft and hard limits are the configured ones`,
    requirements: ['config:process.rlimits.soft', 'config:process.rlimits.hard', 'config:process.rlimits.getrlimit'],
    exercises: ['process.rlimits'],
    bundle: (b, env) => {
      probeLimits(b, [type]);
      const pair = choosePair(type, callerLimits()[type], hasSysResource(env));
      // No usable pair: the check skips; the bundle keeps the defaults.
      if (typeof pair !== 'string') only(b, { [type]: pair });
    },
    async check(t) {
      const pair = choosePair(type, callerLimits()[type], hasSysResource(t.env));
      if (typeof pair === 'string') return t.skip(pair);
      expectLimit(t, readLimit(t, await t.probe(), type), configured(t)[type], `${type} of the container process`);
    },
  });
}

/** The first limit whose inherited soft value is finite and hard is unlimited (STACK, CORE on most hosts). */
function finiteSoftUnlimitedHard(): string | undefined {
  const caller = callerLimits();
  return ['RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_FSIZE', 'RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_DATA'].find(
    (k) => caller[k] && caller[k]!.soft !== 'unlimited' && caller[k]!.hard === 'unlimited',
  );
}

/** The first limit with a finite inherited hard value (NOFILE, MEMLOCK… on most hosts). */
function finiteHard(): string | undefined {
  const caller = callerLimits();
  return ['RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_MSGQUEUE', 'RLIMIT_SIGPENDING', 'RLIMIT_NPROC'].find((k) => caller[k] && caller[k]!.hard !== 'unlimited');
}

const SEVERAL = ['RLIMIT_NOFILE', 'RLIMIT_CORE', 'RLIMIT_MSGQUEUE', 'RLIMIT_LOCKS'];

export default [
  ...Object.keys(RLIMITS).map(perType),

  defineCase({
    id: 'rlimits.infinity',
    title: 'RLIM_INFINITY (18446744073709551615) as soft and hard means "unlimited", digit for digit',
    requirements: ['config:process.rlimits.soft', 'config:process.rlimits.hard'],
    exercises: ['process.rlimits'],
    bundle: (b) => {
      const type = finiteSoftUnlimitedHard();
      probeLimits(b, type ? [type] : []);
      if (type) only(b, { [type]: { soft: RLIM_INFINITY, hard: RLIM_INFINITY } });
    },
    async check(t) {
      const type = finiteSoftUnlimitedHard();
      if (!type) return t.skip('conform has no limit with a finite soft and an unlimited hard value here, so "unlimited" could not be told from inherited');
      expectLimit(t, readLimit(t, await t.probe(), type), { soft: 'unlimited', hard: 'unlimited' }, `${type} of the container process`);
    },
  }),

  defineCase({
    id: 'rlimits.infinity-hard-only',
    title: 'a finite soft limit under an RLIM_INFINITY hard limit (RLIMIT_CPU 1234 / unlimited)',
    requirements: ['config:process.rlimits.soft', 'config:process.rlimits.hard'],
    exercises: ['process.rlimits'],
    bundle: (b) => {
      probeLimits(b, ['RLIMIT_CPU']);
      only(b, { RLIMIT_CPU: { soft: 1234n, hard: RLIM_INFINITY } });
    },
    async check(t) {
      if (callerLimits().RLIMIT_CPU?.hard !== 'unlimited')
        return t.skip("conform's hard RLIMIT_CPU is finite: an unlimited one would have to be raised (CAP_SYS_RESOURCE)");
      expectLimit(t, readLimit(t, await t.probe(), 'RLIMIT_CPU'), { soft: 1234n, hard: 'unlimited' }, 'RLIMIT_CPU of the container process');
    },
  }),

  defineCase({
    id: 'rlimits.several',
    title: 'several rlimits in one config all apply (NOFILE, CORE, MSGQUEUE, LOCKS)',
    requirements: ['config:process.rlimits.soft', 'config:process.rlimits.hard'],
    exercises: ['process.rlimits'],
    bundle: (b, env) => {
      const caller = callerLimits();
      const pairs: Record<string, Pair> = {};
      for (const type of SEVERAL) {
        const p = choosePair(type, caller[type], hasSysResource(env));
        if (typeof p !== 'string') pairs[type] = p;
      }
      probeLimits(b, SEVERAL);
      only(b, pairs);
    },
    async check(t) {
      const want = configured(t);
      if (Object.keys(want).length < 2) return t.skip(`fewer than two of ${SEVERAL.join(', ')} can be lowered here`);
      const facts = await t.probe();
      for (const [type, limit] of Object.entries(want)) expectLimit(t, readLimit(t, facts, type), limit, `${type} of the container process`);
    },
  }),

  defineCase({
    id: 'rlimits.raise-hard-unprivileged',
    title: "a hard limit above the caller's, without CAP_SYS_RESOURCE, is refused or applied: never silently ignored",
    requirements: ['runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container', 'config:process.rlimits.hard', 'config:process.rlimits.soft'],
    exercises: ['process.rlimits'],
    bundle: (b) => {
      const type = finiteHard();
      const hard = type && asNumber(callerLimits()[type]!.hard);
      probeLimits(b, type ? [type] : []);
      if (type && hard) only(b, { [type]: { soft: hard, hard: hard + (ULIMIT[type]?.unit ?? 1n) } });
    },
    async check(t) {
      if (hasSysResource(t.env))
        return t.skip('conform has CAP_SYS_RESOURCE here, so raising a hard limit is allowed (rlimits.raise-hard checks that it applies)');
      const type = finiteHard();
      if (!type) return t.skip('every limit conform inherits has an unlimited hard value: there is none to raise');
      // On Linux the kernel refuses (EPERM) and the runtime must report it. A runtime with a
      // kernel of its own (gVisor) may be able to apply the limit there: that is conformant too.
      if ((await attempt(t.req('runtime:create.apply-fail-error'), `${type} hard raised above the caller's hard limit`, { processProperty: true })).by) return;
      const facts = parseProbe(await t.waitOutput('@@done'));
      expectLimit(t, readLimit(t, facts, type), configured(t)[type], `${type} of the container process, which the runtime did not refuse`);
      t.note("the runtime applied a hard limit above the caller's");
    },
  }),

  defineCase({
    id: 'rlimits.raise-hard',
    title: "with CAP_SYS_RESOURCE, a hard limit above the caller's is applied",
    requirements: ['config:process.rlimits.hard', 'config:process.rlimits.soft'],
    exercises: ['process.rlimits'],
    needs: ['cap:CAP_SYS_RESOURCE'],
    bundle: (b) => {
      const type = finiteHard();
      const hard = type && asNumber(callerLimits()[type]!.hard);
      probeLimits(b, type ? [type] : []);
      if (type && hard) only(b, { [type]: { soft: hard, hard: hard + (ULIMIT[type]?.unit ?? 1n) } });
    },
    async check(t) {
      const type = finiteHard();
      if (!type) return t.skip('every limit conform inherits has an unlimited hard value: there is none to raise');
      expectLimit(t, readLimit(t, await t.probe(), type), configured(t)[type], `${type} of the container process`);
    },
  }),

  defineCase({
    id: 'rlimits.unknown-type-error',
    title: 'an rlimit type Linux does not have (RLIMIT_CONFORM) is an error',
    requirements: ['config:process.rlimits.unknown-type-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['process.rlimits'],
    invalid: true,
    bundle: (b) => {
      b.probe({ only: ['limits'] });
      b.set('process.rlimits', [{ type: 'RLIMIT_CONFORM', soft: 1024, hard: 1024 }]);
    },
    async check(t) {
      await expectRefused(t.req('config:process.rlimits.unknown-type-error'), 'rlimit type RLIMIT_CONFORM', { processProperty: true });
    },
  }),

  defineCase({
    id: 'rlimits.duplicate-error',
    title: 'two rlimits of the same type are an error, even when both could be applied',
    requirements: ['config:process.rlimits.duplicate-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['process.rlimits[1]'],
    invalid: true,
    bundle: (b) => {
      b.probe({ only: ['limits'] });
      b.set('process.rlimits', [
        { type: 'RLIMIT_NOFILE', soft: 512, hard: 512 },
        { type: 'RLIMIT_NOFILE', soft: 256, hard: 512 },
      ]);
    },
    async check(t) {
      await expectRefused(t.req('config:process.rlimits.duplicate-error'), 'two RLIMIT_NOFILE entries', { processProperty: true });
    },
  }),

  defineCase({
    id: 'rlimits.soft-above-hard-error',
    title: 'a soft limit above its hard limit cannot be applied, and is an error',
    requirements: ['runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container', 'config:valid-values.invalid-error'],
    exercises: ['process.rlimits'],
    invalid: true,
    bundle: (b) => {
      b.probe({ only: ['limits'] });
      b.set('process.rlimits', [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 256 }]);
    },
    async check(t) {
      await expectRefused(t.req('runtime:create.apply-fail-error', 'config:valid-values.invalid-error'), 'RLIMIT_NOFILE soft 512 above hard 256', {
        processProperty: true,
      });
    },
  }),
];
