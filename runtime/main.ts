// conform-runtime's entry, bundled into dist/runtime.cjs (scripts/build.mjs) and loaded
// by bin/conform-runtime.js. Each call is a Node boot, so only what the command needs is
// evaluated: the container init skips the CLI parser, `state` never loads the syscall
// library (the layer is made here and in ./cli.ts, and loads its libc addon at its first call), and only `create` loads the config validator. (No top-level await: the
// bundle is CommonJS.)
if (process.argv[2] === 'init') {
  void Promise.all([import('./init/main.js'), import('./syscalls-libc.js')]).then(([{ initMain }, { libc }]) => initMain(libc()));
} else {
  void import('./cli.js').then(({ runCli }) => runCli(process.argv.slice(2)));
}
