// config-linux.md "Seccomp": what the seccomp cases share (suites/seccomp/, one file per
// part of the filter). The probe's attempts and their outcomes are in suites/support/seccomp.ts.
import { defineCase } from '../../harness/case/case.js';
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { callFailure, type CaseContext } from '../../harness/case/context.js';
import type { Seccomp } from '../../schemas/config.js';
import type { SeccompOperator } from '../../schemas/enums.js';
import { SIGSYS_STATUS, TRY_FN, claimed, outcome, type Attempt } from '../support/seccomp.js';
import { refusalOf } from '../support/refuse.js';

/** What the control i386 program exits with: no errno a mkdir gives, no shell status. */
export const I386_EXIT = 42;

export const ENABLED = 'feature:linux.seccomp.enabled';
export const act = (a: string) => `feature:linux.seccomp.actions=${a}`;
export const op = (o: string) => `feature:linux.seccomp.operators=${o}`;

/** The probe with one snippet, `try`, made of `t_ LABEL CMD…` lines. */
export function tries(b: BundleBuilder, lines: string[], more: Record<string, string> = {}): BundleBuilder {
  return b.probe({ only: ['meta'], cmds: { try: [TRY_FN, ...lines].join('\n'), ...more } });
}

/**
 * Checks each labelled attempt ended as expected ('ok', an errno name, or 'SIGSYS'), each
 * against `about[label]` (the requirements the attempt shows) when given, else against `t`.
 */
export function expectOutcomes(
  t: CaseContext,
  got: Map<string, Attempt>,
  want: Record<string, string>,
  why: string,
  about: Record<string, string[]> = {},
): void {
  for (const [label, expected] of Object.entries(want)) {
    const a = got.get(label);
    const actual = a?.rc === SIGSYS_STATUS ? 'SIGSYS' : outcome(a);
    const [first, ...rest] = about[label] ?? [];
    (first ? t.req(first, ...rest) : t).equal(actual, expected, `${label} ${why}`);
  }
}

export const ACTION = 'config-linux:seccomp.syscalls.action';
export const ERRNO_RET = 'config-linux:seccomp.syscalls.errno-ret';
export const DEFAULT_ACTION = 'config-linux:seccomp.default-action';
export const DEFAULT_ERRNO_RET = 'config-linux:seccomp.default-errno-ret';

export const MKDIR = 't_ mkdir mkdir /conform-dir';
export const GONE = 't_ absent test ! -e /conform-dir';
export const TOUCH = 't_ touch touch /conform-file';

/** Cases where a config the runtime must refuse is given to create. */
export function mustRefuse(o: { id: string; title: string; requirements: string[]; exercises: string[]; seccomp: Seccomp }) {
  return defineCase({
    id: `seccomp.invalid.${o.id}`,
    title: o.title,
    requirements: [...o.requirements, 'runtime:create.apply-fail-no-container'],
    exercises: o.exercises,
    invalid: true,
    bundle: (b) => b.probe({ only: ['meta'] }).seccomp(o.seccomp),
    async check(t) {
      refusalOf(t).expectError(await t.rt.create(t.id, t.bundle.dir), `create (${o.title.replace(/ makes create fail$/, '')})`);
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state of the container whose create failed');
    },
  });
}

export const OPERATOR_CASES: [SeccompOperator, string, number[]][] = [
  ['SCMP_CMP_EQ', 'eq', [7]],
  ['SCMP_CMP_NE', 'ne', [6, 8]],
  ['SCMP_CMP_LT', 'lt', [6]],
  ['SCMP_CMP_LE', 'le', [6, 7]],
  ['SCMP_CMP_GT', 'gt', [8]],
  ['SCMP_CMP_GE', 'ge', [7, 8]],
];

/** create for a bundle with SCMP_ACT_NOTIFY: a refusal is a skip, unless the runtime's features list the action. */
export async function createWithNotify(t: CaseContext): Promise<void> {
  const r = await t.rt.create(t.id, t.bundle.dir);
  if (r.ok) {
    await t.state(); // registers the pid for cleanup
    return;
  }
  if (claimed(t, 'actions', 'SCMP_ACT_NOTIFY')) t.abort(callFailure("create with SCMP_ACT_NOTIFY, which the runtime's features list", r));
  t.skip(`the runtime refused SCMP_ACT_NOTIFY at create (${r.summary}), which config.md "Valid values" allows for a value it does not support`);
}
