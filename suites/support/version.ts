// The spec release a field came in, against the one the runtime says it implements.
import type { CaseContext } from '../../harness/case/context.js';
import { compareSemVer, parseSemVer } from '../../schemas/semver.js';

/**
 * Skips when the runtime says (features.ociVersionMax) it implements a spec older than
 * the one that brought `field`: config.md's Extensibility has it ignore what it does
 * not know, so ignoring the field is no failure.
 */
export function skipIfNewerThanRuntime(t: CaseContext, version: string, field: string): void {
  const max = t.env.runtime.features?.ociVersionMax;
  const have = max ? parseSemVer(max) : undefined;
  const need = parseSemVer(version)!;
  if (have && compareSemVer(have, need) < 0) {
    t.skip(
      `${field} came in runtime-spec ${version}; the runtime's features says it implements up to ${max}, and config.md#configExtensibility has it ignore properties it does not know`,
    );
  }
}
