// conform-runtime's entry (bundled into dist/runtime.js, split into chunks). Each call
// is a Node boot, so only what the command needs is loaded: the container init skips
// the CLI parser, `state` never loads the syscall library, and only `create` loads the
// config validator.
if (process.argv[2] === 'init') {
  const { initMain } = await import('./init/main.js');
  initMain();
} else {
  const { runCli } = await import('./cli.js');
  await runCli(process.argv.slice(2));
}
