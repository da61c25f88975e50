// What the benchmarks need from the harness, bundled by scripts/build.mjs into dist/bench-lib.js.
export { defaultConfig } from '../harness/case/bundle.js';
export { copyTree, ensureRootfs } from '../harness/host/rootfs.js';
