// The JSON Schema and static-rule check of config.json (harness/validate.ts), run in
// a worker thread: compiling the schema costs ~200 ms, which would triple the time
// of `create`. The worker runs on the other core while the init boots and mounts;
// `create` awaits its verdict before the first hook runs and before reporting the
// container created, and undoes everything when it fails.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

export interface SchemaVerdict {
  /** The first error as `<path> <message>`, when there is one. */
  error?: string;
  warnings: string[];
}

export const SCHEMA_WORKER = 'conform-runtime:schema-check';

export function startSchemaCheck(text: string, bundle: string): Promise<SchemaVerdict> {
  return new Promise((resolve) => {
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { kind: SCHEMA_WORKER, text, bundle },
      stdout: true,
      stderr: true,
    });
    worker.once('message', (v: SchemaVerdict) => resolve(v));
    // A broken checker must not block containers: the runtime's own rules still ran.
    worker.once('error', (err) => resolve({ warnings: [`schema check could not run: ${err.message}`] }));
    worker.once('exit', () => resolve({ warnings: [] }));
  });
}
