// Static validation of a bundle: our config schema plus the spec's rules that a schema
// cannot express (schemas/rules/, each citing its spec section). Used by
// `conform validate BUNDLE`, by the harness on every config it generates, and by the
// reference runtime's `create`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFileError, MAX_CONFIG_DEPTH, nestedDeeperThan, readConfigFile } from './config-file.js';
import { ConfigSchema, hasErrors, validateConfig, type Config, type Problem } from './index.js';
import { checkIntegerLiterals } from './raw-numbers.js';
import { checkConfigRules } from './rules/index.js';

export type { Problem } from './index.js';
export { CONFIG_RULES } from './rules/index.js';

/**
 * Schema problems, then the static rules' problems. With `bundleDir`, relative paths
 * (root.path) are checked on disk too.
 */
export function validateConfigRules(config: unknown, bundleDir?: string): Problem[] {
  return [...validateConfig(config), ...checkConfigRules(config, bundleDir)];
}

export interface BundleCheck {
  /** Set only when the config parsed and has no error-level problem: a valid Config. */
  config?: Config;
  problems: Problem[];
}

/**
 * Reads and checks `dir/config.json`, including root.path on disk. A FIFO, a device or
 * a huge file there is a problem reported at once (schemas/config-file.ts).
 */
export async function validateBundle(dir: string): Promise<BundleCheck> {
  let text: string;
  try {
    text = readConfigFile(join(dir, 'config.json'));
  } catch (err) {
    return { problems: [{ path: '', message: unreadable(dir, err), level: 'error' }] };
  }
  return validateConfigText(text, dir, join(dir, 'config.json'));
}

/**
 * Checks config.json as written: the parsed value as validateConfigRules does, plus the
 * integer literals whose exact digits JSON.parse loses (e.g. 2 ** 64 written by
 * JSON.stringify, which no Go runtime accepts as a uint64).
 */
export function validateConfigText(text: string, bundleDir?: string, name = 'config.json'): BundleCheck {
  // The validators below recurse: 100,000 nested arrays would overflow the stack.
  if (nestedDeeperThan(text))
    return { problems: [{ path: '', message: `${name} nests arrays and objects deeper than ${MAX_CONFIG_DEPTH} levels`, level: 'error' }] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problems: [{ path: '', message: `${name} is not valid JSON: ${(err as Error).message}`, level: 'error' }] };
  }
  const problems = validateConfigRules(value, bundleDir);
  // A path the schema already reported needs no second line.
  const reported = new Set(problems.map((p) => p.path));
  problems.push(...checkIntegerLiterals(text, ConfigSchema).filter((p) => !reported.has(p.path)));
  return hasErrors(problems) ? { problems } : { config: value as Config, problems };
}

function unreadable(dir: string, err: unknown): string {
  const code = err instanceof ConfigFileError ? err.code : (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && !existsSync(dir)) return `bundle directory ${dir} does not exist`;
  if (code === 'ENOENT') return `no config.json in ${dir}: a bundle must have one at its root (bundle.md)`;
  if (code === 'ENOTDIR') return `${dir} is not a directory: a bundle is a directory with config.json at its root`;
  return `${join(dir, 'config.json')} ${(err as Error).message}`;
}

/**
 * One line per problem: `error   process.cwd: must be an absolute path [config:process.cwd.absolute]`,
 * with the requirement a static rule checks. A problem with the document as a whole
 * (path '') is its message alone: `error   no config.json in …`.
 */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.level.padEnd(7)} ${p.path === '' ? '' : `${p.path}: `}${p.message}${p.requirement ? ` [${p.requirement}]` : ''}`).join('\n');
}
