// Reads <bundle>/config.json and checks it: a regular file of bounded size (never
// a FIFO that would hang or /dev/zero that never ends), nesting the validators can
// take, JSON syntax, then the spec's rules (./validate.ts). Every error names the
// file and the field.
import { realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigFileError, MAX_CONFIG_DEPTH, nestedDeeperThan, readConfigFile } from '../../schemas/config-file.js';
import { ConfigError, RuntimeError } from '../errors.js';
import type { Config } from './validate.js';
import { keepExactRlimits } from './rlimits.js';
import { checkConfig } from './validate.js';

export interface LoadedBundle {
  bundle: string;
  config: Config;
  /** The rootfs's absolute path, which has no symlink in it. */
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
    text = readConfigFile(file);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    throw new RuntimeError(`config.json: ${err.code === 'ENOENT' ? `not found in bundle ${bundle}` : `${file} ${err.message}`}`);
  }
  if (nestedDeeperThan(text)) throw new RuntimeError(`config.json: nests arrays and objects deeper than ${MAX_CONFIG_DEPTH} levels`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RuntimeError(`config.json: not valid JSON: ${(err as Error).message}`);
  }
  const config = checkConfig(raw, opts);
  keepExactRlimits(text, ['process'], config.process?.rlimits);
  return { bundle, config, rootfs: checkRootfs(bundle, config.root!.path), text };
}

/**
 * root.path, absolute and without symlinks (runc refuses a symlinked rootfs too): the
 * runtime opens it by this path more than once, and a symlink could be swapped in
 * between. The bundle directory's own path may pass through symlinks.
 */
function checkRootfs(bundle: string, rootPath: string): string {
  let realBundle: string;
  try {
    realBundle = realpathSync(bundle);
  } catch {
    throw new RuntimeError(`bundle ${bundle} does not exist`);
  }
  const rootfs = resolve(realBundle, rootPath);
  let real: string;
  try {
    real = realpathSync(rootfs);
  } catch {
    throw new ConfigError('root.path', `${rootfs} does not exist`);
  }
  if (real !== rootfs) throw new ConfigError('root.path', `${rootfs} is or passes through a symlink (to ${real}): give the path itself`);
  if (!statSync(rootfs).isDirectory()) throw new ConfigError('root.path', `${rootfs} is not a directory`);
  return rootfs;
}
