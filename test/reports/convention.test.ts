// Cases that check a convention beyond the spec (the runc CLI engines call): reports say
// so (the runner turns their failures into warnings: test/harness/verdicts.test.ts).
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { caseLine, finalReport } from '../../reports/console-format.js';
import { renderJson, type JsonReport } from '../../reports/json.js';
import { result, summary } from './factory.js';

const chalk = new Chalk({ level: 0 });
const failed = result('engines.podman.pause-resume', {
  outcome: 'warn',
  convention: 'runc-cli',
  message: 'the runc CLI convention beyond the spec not followed: podman pause: exit 125',
  requirements: ['runtime:operations.supported'],
});

describe('the runc CLI convention marker', () => {
  it('the JSON report carries it on the case', () => {
    const report = JSON.parse(renderJson(summary([failed, result('lifecycle.y')]))) as JsonReport;
    expect(report.results.find((r) => r.id === failed.id)?.convention).toBe('runc-cli');
    expect(report.results.find((r) => r.id === 'lifecycle.y')).not.toHaveProperty('convention');
  });

  it('the console names it on the case line and says a failure breaks no spec requirement', () => {
    expect(caseLine(failed, { chalk })).toContain('[runc-cli convention]');
    const text = finalReport(summary([failed]), { chalk }).join('\n');
    expect(text).toMatch(/checks: the runc CLI convention beyond the spec \(a failure here breaks no requirement of the spec\)/);
  });
});
