#!/usr/bin/env node
// conform's entry point: the harness is built into dist/ by `npm install` (or `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/conform.js', import.meta.url));
if (!existsSync(dist)) {
  process.stderr.write(`conform: not built yet: run \`npm install\` (or \`npm run build\`) in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
const { main } = await import(dist);
const code = await main(process.argv);
// Exit once what was written to a pipe is out: process.exit() drops what a pipe has not taken yet.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
