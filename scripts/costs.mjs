// Writes suites/costs.json, the expected cost of each case that --shard balances shards on
// (and the console's ETA weighs), from whole runs' JSON reports (--json):
//
//   node scripts/costs.mjs runc.json reference.json
//
// A case's cost is its mean duration over the reports, rounded to 10 ms: runtimes differ in
// speed, but the cases that make many runtime calls or wait long are slow on all of them.
// Regenerate when cases are added or change much; a case the table lacks costs the median.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node scripts/costs.mjs REPORT.json... (whole runs written with --json)');
  process.exit(2);
}
const sums = new Map();
const runs = [];
for (const file of files) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if (!String(report.format).startsWith('conform-report/') || !Array.isArray(report.results)) throw new Error(`${file}: not a conform JSON report`);
  runs.push(`${report.runtime.version ?? report.runtime.path} (${report.startedAt.slice(0, 10)})`);
  for (const r of report.results) {
    const s = sums.get(r.id) ?? { total: 0, n: 0 };
    s.total += r.durationMs;
    s.n++;
    sums.set(r.id, s);
  }
}
const costs = Object.fromEntries([...sums].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, s]) => [id, Math.max(10, Math.round(s.total / s.n / 10) * 10)]));
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'suites', 'costs.json');
writeFileSync(out, `${JSON.stringify({ measured: runs, costs }, null, 2)}\n`);
console.log(`wrote ${out}: ${Object.keys(costs).length} cases, from ${runs.join(', ')}`);
