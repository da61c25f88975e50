#!/usr/bin/env node
// conform-runtime: the reference OCI runtime of conform. The code is bundled into
// dist/runtime.js (one file, so a call is one module load) by `npm run build`.
import { existsSync } from 'node:fs';
import { writeSync } from 'node:fs';

const entry = new URL('../dist/runtime.js', import.meta.url);
if (!existsSync(entry)) {
  writeSync(2, 'conform-runtime: dist/runtime.js is missing: run `npm run build` in the conform checkout first\n');
  process.exit(1);
}
await import(entry.href);
