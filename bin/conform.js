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
// A reader that goes away (`conform --list | head`, a CI log collector killed, a terminal
// closed: EIO after its SIGHUP) is not an error: what would go to it is dropped, and a run
// goes on to clean up its containers. Node ignores SIGPIPE, so the write errors are the
// only sign.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE' && e.code !== 'EIO' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    stream.destroy();
  });
}
// Exit once what was written to a pipe is out: process.exit() drops what a pipe has not taken yet.
const flushed = (stream) => new Promise((resolve) => (stream.destroyed ? resolve() : stream.write('', () => resolve())));
conform.main(process.argv).then(async (code) => {
  await flushed(process.stdout);
  await flushed(process.stderr);
  process.exit(code);
});
