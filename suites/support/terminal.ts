// Running a `terminal: true` probe and reading its facts from the pty master, which
// conform receives through runc's `--console-socket` convention (harness/process/console-receiver.ts).
import type { ConsoleReceiver } from '../../harness/process/console-receiver.js';
import { HarnessError } from '../../harness/errors.js';
import { callFailure, type CaseContext } from '../../harness/case/context.js';
import type { CallResult } from '../../harness/process/driver.js';
import { parseProbe, type ProbeFacts } from '../../harness/probe/parse.js';

const BANNER = '@@conform-probe 1';

/** A path a process's terminal can have inside the container. */
export const isTerminalPath = (p: string | undefined) => p !== undefined && /^\/dev\/(pts\/\d+|console|tty\d*)$/.test(p);

/**
 * create (with --console-socket), start, then the probe's facts as they arrive at the
 * master, and the end of its process (t.waitEnded). `input` is written to the terminal before start.
 */
export async function probeOnTerminal(t: CaseContext, opts: { input?: string } = {}): Promise<{ facts: ProbeFacts; tty: ConsoleReceiver }> {
  const { result, tty } = await t.createWithConsole({ input: opts.input });
  if (!result.ok) {
    // A refusal is an error exit; a crash or a hang is the runtime failing, whatever the flag.
    if (result.spawnError) throw new HarnessError(callFailure('create --console-socket', result));
    if (result.signal || result.timedOut) t.fail(`${callFailure('create --console-socket', result)}: a crash or a hang, not a refusal`);
    return withoutConsoleSocket(t, result);
  }
  await t.start();
  const out = await tty.waitFor('@@done');
  await t.waitEnded();
  return { facts: parseProbe(out), tty };
}

/**
 * The spec defines no way to hand over the pty, so a refused --console-socket alone is
 * no verdict. But a runtime that then runs the same config without it, with the
 * process's stdout on the file create was given, has ignored `terminal`: that fails.
 * (runc refuses --console-socket without `terminal`, which is how the strip self-test's
 * runc behaves; a runtime that ignores `terminal` and accepts the flag never sends a
 * master, which ConsoleReceiver.waitFor reports.)
 */
async function withoutConsoleSocket(t: CaseContext, refused: CallResult): Promise<never> {
  const why = callFailure('create --console-socket', refused);
  const bundle = await t.newBundle((b) => {
    b.config = structuredClone(t.bundle.config);
    b.probe({ only: ['fds'] });
  });
  const id = t.newId();
  const r = await t.rt.create(id, bundle.dir);
  if (r.signal || r.timedOut) t.fail(`${why}; create without it ${r.summary}: a crash or a hang, not a refusal`);
  if (!r.ok)
    t.skip(
      `${why}; create without it failed too (${r.summary}): conform knows no other way to receive a terminal's master (the spec defines none; conform uses runc's --console-socket)`,
    );
  await t.state(id);
  await t.start(id);
  await t.waitStatus('stopped', { id });
  const out = t.stdout(id);
  if (!out.includes(BANNER))
    t.skip(`${why}; without it the process ran, its output going to no place conform can read (a terminal whose master the runtime kept?)`);
  const fd1 = parseProbe(out).fds?.get(1);
  if (!isTerminalPath(fd1))
    t.fail(
      `with terminal true the process's stdout is not a terminal but ${fd1 ?? 'closed'} (create refused --console-socket, ${refused.summary}, and ran the process without one)`,
      { expected: '/dev/pts/N', actual: fd1 },
    );
  t.skip(`${why}; without it the process ran on a terminal (stdout ${fd1}) whose master conform cannot read`);
}
