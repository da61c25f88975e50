// config.md "Linux Process": `ioPriority`, read back with busybox `ionice` for the
// container process and for a child of it (the class "applies to the entire process group").
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import type { ProbeFacts } from '../../harness/probe/parse.js';
import type { IOPriority } from '../../schemas/config.js';
import { output, SINCE, skipIfUnknownField } from './common.js';

/** ionice's names for the ioprio classes (ioprio_get(2)); `none` is "never set". */
const CLASS_NAMES: Record<IOPriority['class'], string> = {
  IOPRIO_CLASS_RT: 'realtime',
  IOPRIO_CLASS_BE: 'best-effort',
  IOPRIO_CLASS_IDLE: 'idle',
};

export interface IoNice {
  cls: string;
  /** Absent for the idle class, which has no levels. */
  prio?: number;
}

/** busybox/util-linux `ionice` output: `best-effort: prio 6`, `realtime: prio 2`, `idle`, `none: prio 0`. */
export function parseIonice(text: string): IoNice | undefined {
  const m = /^(none|realtime|best-effort|idle)(?::\s*prio\s+(\d+))?\s*$/.exec(text.trim());
  if (!m) return undefined;
  return m[2] === undefined ? { cls: m[1]! } : { cls: m[1]!, prio: Number(m[2]) };
}

function expectIonice(t: CaseContext, facts: ProbeFacts, cmd: string, want: IOPriority, whose: string): void {
  const text = output(t, facts, cmd);
  if (text === undefined) return;
  const got = parseIonice(text);
  if (!t.ok(got !== undefined, `${whose}: ionice printed something this case cannot read: ${text}`)) return;
  t.equal(got!.cls, CLASS_NAMES[want.class], `${whose}: I/O scheduling class`);
  // The idle class has no levels: the kernel keeps the number, ionice does not show it.
  if (want.class !== 'IOPRIO_CLASS_IDLE') t.equal(got!.prio, want.priority, `${whose}: I/O priority level`);
}

function ioCase(id: string, prio: IOPriority, title: string): Case {
  return defineCase({
    id: `scheduling.io-priority.${id}`,
    title,
    requirements: ['config:process.io-priority'],
    exercises: ['process.ioPriority'],
    bundle: (b) =>
      b
        .ociVersion(SINCE.ioPriority)
        .probe({ only: ['meta'], cmds: { self: 'ionice -p $$', child: 'ionice' } })
        .set('process.ioPriority', prio),
    async check(t) {
      skipIfUnknownField(t, 'ioPriority');
      const facts = await t.probe();
      // A sandboxed kernel (gVisor) may refuse ioprio_get(2) itself: nothing shows the class there.
      const self = facts.cmds.self;
      if (self && self.rc !== 0 && /ioprio_get/.test(self.output))
        return t.skip(`ioprio_get(2) fails inside the container, so the I/O priority cannot be seen (${self.output.trim()})`);
      expectIonice(t, facts, 'self', prio, 'the container process');
      expectIonice(t, facts, 'child', prio, 'a child of the container process');
    },
  });
}

export default [
  ioCase('best-effort', { class: 'IOPRIO_CLASS_BE', priority: 6 }, 'IOPRIO_CLASS_BE level 6: the process and its children do best-effort I/O at level 6'),
  ioCase('realtime', { class: 'IOPRIO_CLASS_RT', priority: 2 }, 'IOPRIO_CLASS_RT level 2: the process and its children do realtime I/O at level 2'),
  ioCase('idle', { class: 'IOPRIO_CLASS_IDLE', priority: 7 }, 'IOPRIO_CLASS_IDLE: the process and its children do idle I/O'),
] as Case[];
