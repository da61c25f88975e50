// The worker side of ./schema-check.ts.
import { parentPort } from 'node:worker_threads';
import { validateConfigText } from '../../harness/validate.js';
import type { SchemaVerdict } from './schema-check.js';

export function runSchemaCheck(data: { text: string; bundle: string }): void {
  const { problems } = validateConfigText(data.text, data.bundle);
  const line = (p: { path: string; message: string }): string => (p.path ? `${p.path} ${p.message}` : p.message);
  const error = problems.find((p) => p.level === 'error');
  const verdict: SchemaVerdict = { warnings: problems.filter((p) => p.level === 'warning').map(line) };
  if (error) verdict.error = line(error);
  parentPort!.postMessage(verdict);
}
