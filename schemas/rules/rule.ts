// A static rule: something the spec requires of config.json that a JSON Schema cannot
// say (uniqueness, one field depending on another, SHOULDs, the platform, the bundle's
// files). Each rule is data (id, spec anchor, level) plus one small check.
import type { Config } from '../config.js';
import { formatPath, type Problem, type Segment } from '../problem.js';

export interface RuleContext {
  /** The bundle directory, when there is one: relative paths resolve against it. */
  bundleDir?: string;
  /**
   * The config targets Linux: it has a `linux` section, or no other platform's
   * section (a minimal config.json is a Linux one in this project).
   */
  linux: boolean;
  /** The config has a `windows` section: paths and some REQUIRED fields differ there. */
  windows: boolean;
}

export interface Finding {
  path: Segment[];
  message: string;
  /** Overrides the rule's level, for rules whose strength depends on the platform. */
  level?: Problem['level'];
}

export interface Rule {
  /** Stable id, e.g. `process.rlimits.unique`; problems carry it. */
  id: string;
  /** Where the spec says so: `file.md#anchor`. */
  spec: string;
  /** The requirement of the catalogue (spec/) it checks: problems carry it. */
  requirement: string;
  /** error for MUST / REQUIRED, warning for SHOULD. */
  level: Problem['level'];
  /**
   * A warning about what will not happen as written (a capability that cannot be
   * granted, a namespace without mappings…), rather than about style: runtimes show it
   * at their normal log level (the reference runtime does; runc logs some of these too).
   */
  affectsRun?: boolean;
  /**
   * The config may not match the schema (rules run even when it does not, so that one
   * run reports everything): read it defensively, with the helpers below.
   */
  check(config: Config, ctx: RuleContext): Finding[];
}

export function contextFor(config: Config, bundleDir?: string): RuleContext {
  const c = (isObject(config) ? config : {}) as Record<string, unknown>;
  const other = ['windows', 'solaris', 'freebsd', 'zos'].some((k) => c[k] !== undefined);
  return { bundleDir, linux: c.linux !== undefined || !other, windows: c.windows !== undefined };
}

export function runRules(rules: readonly Rule[], config: unknown, ctx: RuleContext): Problem[] {
  if (!isObject(config)) return [];
  const problems: Problem[] = [];
  for (const rule of rules) {
    let findings: Finding[];
    try {
      findings = rule.check(config as Config, ctx);
    } catch {
      // Only a config whose shape the schema already rejected gets here; its schema
      // problems say what is wrong.
      continue;
    }
    for (const f of findings) {
      problems.push({
        path: formatPath(f.path),
        message: f.message,
        level: f.level ?? rule.level,
        rule: rule.id,
        requirement: rule.requirement,
        ...(rule.affectsRun ? { affectsRun: true } : {}),
      });
    }
  }
  return problems;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value as an array, or [] when it is not one. */
export function list<T>(v: readonly T[] | undefined | null): readonly T[] {
  return Array.isArray(v) ? v : [];
}

/** The entries of a map, or [] when it is not an object. */
export function entries<T>(v: Readonly<Record<string, T>> | undefined | null): [string, T][] {
  return isObject(v) ? Object.entries(v as Record<string, T>) : [];
}

export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The namespace types a config asks for, with whether each has a path (joins an existing one). */
export function namespaces(config: Config): Map<string, { path?: string }> {
  const out = new Map<string, { path?: string }>();
  for (const ns of list(config.linux?.namespaces)) {
    if (isObject(ns) && typeof ns.type === 'string' && !out.has(ns.type)) {
      out.set(ns.type, { path: typeof ns.path === 'string' ? ns.path : undefined });
    }
  }
  return out;
}

/** Indexes of the entries whose key appeared earlier in the list (undefined keys are skipped). */
export function duplicates(keys: readonly unknown[]): number[] {
  const seen = new Set<unknown>();
  const out: number[] = [];
  keys.forEach((k, i) => {
    if (k === undefined) return;
    if (seen.has(k)) out.push(i);
    seen.add(k);
  });
  return out;
}
