#!/usr/bin/env node
// conform's entry point: the harness is built into dist/conform.cjs, with its V8 code
// cache, by `npm install` (or `npm run build`). CommonJS (bin/package.json).
'use strict';
const { join } = require('node:path');
const { loadBundle } = require('./load-bundle.js');

let conform;
try {
  conform = loadBundle(join(__dirname, '..', 'dist'), 'conform');
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
  process.stderr.write(`conform: not built yet: run \`npm install\` (or \`npm run build\`) in ${join(__dirname, '..')}\n`);
  process.exit(2);
}
// A reader that goes away (`conform --list | head`) is not an error: stop quietly. A run
// in progress still cleans up: SIGPIPE is ignored by Node, so this is the only path.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  process.exitCode = 0;
  process.stdout.destroy();
});
// Exit once what was written to a pipe is out: process.exit() drops what a pipe has not taken yet.
conform.main(process.argv).then((code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code))));
