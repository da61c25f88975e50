// The JSON Schema and static-rule check of config.json (schemas/validate.ts), the same
// that `conform validate` runs. The schema's validator is precompiled at build time
// (schemas/standalone.ts), so this costs a few ms and runs before anything is made.
import { validateConfigText } from '../../schemas/validate.js';
import { RuntimeError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * Throws on the first error-level problem. Warnings about what will not happen as
 * written (an unknown capability: config.md says it MUST be logged) go to the log at
 * the normal level (stderr without --log); warnings about style only with --debug.
 */
export function checkSchema(text: string, bundle: string | undefined, log: Logger): void {
  const { problems } = validateConfigText(text, bundle);
  const line = (p: { path: string; message: string }): string => (p.path ? `${p.path} ${p.message}` : p.message);
  for (const w of problems.filter((p) => p.level === 'warning')) (w.affectsRun ? log.warn : log.debug).call(log, `config.json: ${line(w)}`);
  const error = problems.find((p) => p.level === 'error');
  if (error) throw new RuntimeError(`config.json: ${line(error)}`);
}
