// Where things are, whether we run from source (vitest) or from dist/ (the CLI).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** conform's name on npm (`conform` itself belongs to another project); the command is `conform`. */
export const PACKAGE_NAME = 'oci-conform';

function findPackage(start: string): { root: string; version: string } {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const data = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (data.name === PACKAGE_NAME) return { root: dir, version: data.version ?? '0.0.0' };
    }
    if (dirname(dir) === dir) throw new Error(`cannot find ${PACKAGE_NAME}'s package.json above ${start}`);
  }
}

const pkg = findPackage(dirname(fileURLToPath(import.meta.url)));

/** The checkout, or the installed package's folder. */
export const repoRoot = pkg.root;

/** conform's own version (package.json): reports record it, `merge` compares it. */
export const conformVersion = pkg.version;

/** The reference runtime, the default when --runtime is not given. */
export const referenceRuntime = join(repoRoot, 'bin', 'conform-runtime.js');

/** The spec checkout next to the repo, when present (schema fixtures, requirement anchors). */
export const specDir = process.env.CONFORM_SPEC_DIR ?? join(repoRoot, '..', 'shared', 'runtime-spec');

export const probeScript = join(repoRoot, 'harness', 'probe', 'probe.sh');
