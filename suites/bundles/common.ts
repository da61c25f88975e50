// Running a bundle a real tool made: the probe's facts, on a terminal when the config
// asks for one (umoci writes `terminal: true`, as `runc spec` does).
import type { BuiltBundle, CaseContext } from '../../harness/case/context.js';
import { callFailure } from '../../harness/case/context.js';
import { parseProbe, type ProbeFacts } from '../../harness/probe/parse.js';
import { validateConfigText } from '../../schemas/validate.js';
import { stringifyConfig } from '../../harness/case/bundle.js';

/** create (with --console-socket for a terminal), start, the probe's facts, and the end of its process (t.waitEnded). */
export async function probeBundle(t: CaseContext, bundle: BuiltBundle): Promise<ProbeFacts> {
  if (!bundle.config.process?.terminal) return t.probe({ bundle });
  const { result, tty } = await t.createWithConsole({ bundle });
  if (!result.ok) t.abort(callFailure('create --console-socket (the config has terminal: true)', result));
  await t.start();
  const out = await tty.waitFor('@@done');
  await t.waitEnded();
  return parseProbe(out);
}

/** What conform's own validator says of a config a real tool wrote: information, never the case's verdict. */
export function noteValidation(t: CaseContext, bundle: BuiltBundle, tool: string): void {
  const problems = validateConfigText(stringifyConfig(bundle.config), bundle.dir).problems;
  for (const p of problems) t.note(`conform validate on ${tool}'s config.json: ${p.level} ${p.path || '(root)'}: ${p.message}`);
}
