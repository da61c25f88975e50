#!/usr/bin/env node
// conform-runtime: the reference OCI runtime of conform. The code is bundled into
// dist/runtime.js (one file, so a call is one module load) by `npm run build`.
import { existsSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/runtime.js', import.meta.url);
if (!existsSync(entry)) {
  writeSync(2, 'conform-runtime: dist/runtime.js is missing: run `npm run build` in the conform checkout first\n');
  process.exit(1);
}
// An installed package compiles its native helper at first use (harness/native-build.ts).
if (!existsSync(new URL('../dist/nsexec', import.meta.url))) {
  const { ensureNative } = await import(new URL('../dist/native.js', import.meta.url).href);
  try {
    ensureNative(fileURLToPath(new URL('..', import.meta.url)), 'nsexec');
  } catch (e) {
    writeSync(2, `conform-runtime: ${e.message}\n`);
    process.exit(1);
  }
}
await import(entry.href);
