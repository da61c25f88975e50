// Builds dist/ (harness, reference runtime, native helpers) once, before any test file
// runs: tests then see the sources as they are, and no test rebuilds a binary another
// one is executing (a rebuild per test file once made a running case's console receiver
// vanish mid-run).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { stdio: 'inherit' });
}
