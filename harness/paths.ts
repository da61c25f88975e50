// Where things are, whether we run from source (vitest) or from dist/ (the CLI).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'conform') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find conform's package.json above ${start}`);
  }
}

export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** The reference runtime, the default when --runtime is not given. */
export const referenceRuntime = join(repoRoot, 'bin', 'conform-runtime.js');

/** The spec checkout next to the repo, when present (schema fixtures, requirement anchors). */
export const specDir = process.env.CONFORM_SPEC_DIR ?? join(repoRoot, '..', 'shared', 'runtime-spec');

export const probeScript = join(repoRoot, 'harness', 'probe', 'probe.sh');
