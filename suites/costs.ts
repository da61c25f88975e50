// What each case is expected to cost (ms, measured): shards are balanced on it, and the
// console's ETA weighs the cases left by it. A case the table lacks costs the median.
// Regenerate from full runs' JSON reports: node scripts/costs.mjs REPORT.json... (see its header).
import table from './costs.json' with { type: 'json' };

export const EXPECTED_COST_MS: Readonly<Record<string, number>> = (table as { costs: Record<string, number> }).costs;
