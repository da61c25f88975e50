// conform-runtime's entry (bundled into dist/runtime.js). Each call is a Node boot,
// so only what the command needs is evaluated: the container init skips the CLI
// parser, `state` never loads the syscall library, and only create's worker thread
// loads the JSON Schema validator.
import { isMainThread, workerData } from 'node:worker_threads';

if (!isMainThread) {
  const data = workerData as { kind?: string; text: string; bundle: string };
  if (data?.kind === 'conform-runtime:schema-check') {
    const { runSchemaCheck } = await import('./config/schema-worker.js');
    runSchemaCheck(data);
  }
} else if (process.argv[2] === 'init') {
  const { initMain } = await import('./init/main.js');
  initMain();
} else {
  const { runCli } = await import('./cli.js');
  await runCli(process.argv.slice(2));
}
