// What the benchmarks need from the harness, bundled by scripts/build.mjs into dist/bench-lib.js.
import { defaultConfig } from '../harness/bundle.js';

export { copyTree, ensureRootfs } from '../harness/rootfs.js';

if (process.argv[2] === 'default-config') process.stdout.write(JSON.stringify(defaultConfig()));
