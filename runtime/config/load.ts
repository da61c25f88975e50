// Reads <bundle>/config.json and checks it: JSON syntax, then the spec's rules
// (./validate.ts). Every error names the file and the field.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError, RuntimeError } from '../errors.js';
import type { Config } from './types.js';
import { keepExactRlimits } from './rlimits.js';
import { checkConfig } from './validate.js';

export interface LoadedBundle {
  bundle: string;
  config: Config;
  rootfs: string;
  /** config.json as read, for the schema check. */
  text: string;
}

export function loadBundle(bundleArg: string | undefined, opts: { requireProcess: boolean }): LoadedBundle {
  const bundle = resolve(bundleArg ?? '.');
  let stat;
  try {
    stat = statSync(bundle);
  } catch {
    throw new RuntimeError(`bundle ${bundle} does not exist`);
  }
  if (!stat.isDirectory()) throw new RuntimeError(`bundle ${bundle} is not a directory`);
  const file = join(bundle, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RuntimeError(code === 'ENOENT' ? `config.json: not found in bundle ${bundle}` : `config.json: cannot read ${file}: ${code}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RuntimeError(`config.json: not valid JSON: ${(err as Error).message}`);
  }
  const config = checkConfig(raw, opts);
  keepExactRlimits(text, ['process'], config.process?.rlimits);
  const rootPath = config.root!.path;
  const rootfs = isAbsolute(rootPath) ? rootPath : resolve(bundle, rootPath);
  let isDir = false;
  try {
    isDir = statSync(rootfs).isDirectory();
  } catch {
    throw new ConfigError('root.path', `${rootfs} does not exist`);
  }
  if (!isDir) throw new ConfigError('root.path', `${rootfs} is not a directory`);
  return { bundle, config, rootfs, text };
}
