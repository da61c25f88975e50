#!/usr/bin/env node
// conform's entry point: the harness is built into dist/ by `npm install` (or `npm run build`).
// CommonJS (bin/package.json), like bin/conform-runtime.js.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const dist = join(__dirname, '..', 'dist', 'conform.js');
if (!existsSync(dist)) {
  process.stderr.write(`conform: not built yet: run \`npm install\` (or \`npm run build\`) in ${join(__dirname, '..')}\n`);
  process.exit(2);
}
import(pathToFileURL(dist).href)
  .then(({ main }) => main(process.argv))
  .then((code) => process.exit(code));
