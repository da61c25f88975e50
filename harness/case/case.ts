// What a conformance case is: data (what it checks, what it needs, how it edits
// the bundle) plus one async check. See suites/ for the cases themselves.
import type { BundleBuilder } from './bundle.js';
import type { CaseContext } from './context.js';
import type { Env } from '../host/env.js';
import type { Convention } from '../run/result.js';

export interface CaseDef {
  /** `<area>.<name>`, e.g. `process.rlimits.nofile`; the area is the suite file. */
  id: string;
  /** One line: what the case checks. */
  title: string;
  /** Requirement IDs from spec/. */
  requirements: string[];
  /**
   * The config JSON paths of the setting under test. The strip self-test removes
   * them before the runtime sees the bundle and expects the case to fail: a case
   * that still passes checks nothing.
   */
  exercises?: string[];
  /**
   * For a setting under test that is an absence or a default (nothing to remove): config
   * edits (path → value, paths as in `exercises`) that make a runtime do what the case
   * must catch. The strip self-test applies them too, and expects the case not to pass.
   */
  tamper?: Record<string, unknown>;
  /**
   * A fixture runtime (a file in fixtures/runtimes/) that misbehaves as this case must
   * catch, where the misbehaviour is no config setting (what `features` says, say): the
   * proof self-test runs the case against it and expects it not to pass.
   */
  misbehaving?: string;
  /**
   * Why no runtime on hand can show this case failing (neither `exercises` nor `tamper`
   * can play the misbehaviour): said in the case's data, never left implicit.
   */
  unprovable?: string;
  /** Conditions (see `unmetNeed` in harness/host/env.ts); an unmet one skips with its reason. */
  needs?: string[];
  /**
   * Set when the spec is ambiguous or runtimes disagree: the case runs and records
   * what the runtime did, reported as `disputed`, never pass or fail.
   */
  disputed?: string;
  /**
   * Set when the case checks a convention beyond the spec rather than a requirement of
   * it (see CONVENTIONS). Reports show it, and its failures mark no requirement failed:
   * a runtime that fails such a case has broken no MUST of the spec.
   */
  convention?: Convention;
  /** The bundle is deliberately invalid; our own validator must reject it. */
  invalid?: boolean;
  /** Edits the default bundle (harness/case/bundle.ts). */
  bundle?: (b: BundleBuilder, env: Env) => void;
  check: (t: CaseContext) => Promise<void>;
}

export interface Case extends CaseDef {
  area: string;
}

export function defineCase(def: CaseDef): Case {
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(def.id)) throw new Error(`case id ${def.id}: use lower-case dotted names (area.name)`);
  return { ...def, area: def.id.split('.')[0]! };
}
