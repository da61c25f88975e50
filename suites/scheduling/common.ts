// Shared by the scheduling suite: the spec release each per-process field came in,
// the probe commands that show what the kernel holds for the container process, and
// the check of a probe command's output.
import type { CaseContext } from '../../harness/case/context.js';
import type { ProbeFacts } from '../../harness/probe/parse.js';
import { skipIfNewerThanRuntime } from '../support/version.js';
import { SCHED_POLICIES } from '../../linux/sched.js';

/** The runtime-spec release that brought each field (the spec's ChangeLog). */
export const SINCE = {
  scheduler: '1.1.0', // "config: add scheduler entity (#1188)"
  ioPriority: '1.1.0', // "Add I/O Priority Configuration … (#1191)"
  personality: '1.0.2', // "Add Linux personality support (#1012)"
  memoryPolicy: '1.3.0', // "config-linux: add memoryPolicy object (#1282)"
} as const;

export type Field = keyof typeof SINCE;

const PATHS: Record<Field, string> = {
  scheduler: 'process.scheduler',
  ioPriority: 'process.ioPriority',
  personality: 'linux.personality',
  memoryPolicy: 'linux.memoryPolicy',
};

/** Skips when the runtime's features says it implements a spec older than `field`'s. */
export function skipIfUnknownField(t: CaseContext, field: Field): void {
  skipIfNewerThanRuntime(t, SINCE[field], PATHS[field]);
}

/** The fields of /proc/PID/stat this suite reads (proc(5) numbering). */
export interface StatFields {
  nice: number; // 19
  rtPriority: number; // 40
  policy: number; // 41
}

/** /proc/PID/stat → the scheduling fields; the command name (field 2) may hold spaces and parentheses. */
export function parseStat(text: string | undefined): StatFields | undefined {
  if (!text) return undefined;
  const rest = text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state).
  const field = (n: number) => Number(rest[n - 3]);
  const out = { nice: field(19), rtPriority: field(40), policy: field(41) };
  return Object.values(out).every(Number.isInteger) ? out : undefined;
}

/** sched(7) policy numbers. */
export const POLICY_NUMBERS = SCHED_POLICIES;

/** A command's output, or a failure when it did not run cleanly. */
export function output(t: CaseContext, facts: ProbeFacts, name: string): string | undefined {
  const c = facts.cmds[name];
  if (!c) {
    t.ok(false, `the probe printed no result for \`${name}\``);
    return undefined;
  }
  if (!t.ok(c.rc === 0, `\`${name}\` inside the container exited ${c.rc}: ${c.output.trim().split('\n')[0] ?? ''}`)) return undefined;
  return c.output.trim();
}
