// Writes schemas/json/*.schema.json from the TypeBox schemas in schemas/ (config, state,
// features) and reports/report-schema.ts (conform's JSON report), for users of other tools. Run after changing a schema: node scripts/emit-schemas.mjs
// (test/schemas.test.ts fails while the committed files are stale).
// Node 20 cannot import TypeScript, so esbuild bundles schemas/emit.ts to a temp file first.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'conform-emit-'));
try {
  const out = join(tmp, 'emit.mjs');
  await build({
    stdin: {
      contents: "export { EMITTED, schemaText } from './schemas/emit.ts'; export { ReportSchema } from './reports/report-schema.ts';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'warning',
  });
  const { EMITTED, ReportSchema, schemaText } = await import(pathToFileURL(out).href);
  for (const [name, schema] of Object.entries({ ...EMITTED, 'report.schema.json': ReportSchema })) {
    writeFileSync(join(root, 'schemas/json', name), schemaText(schema));
    console.log(`wrote schemas/json/${name}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
