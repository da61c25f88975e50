// The rlimits suite picks values against conform's own limits: they must be settable
// without CAP_SYS_RESOURCE, differ from the inherited ones, and be whole ulimit units.
import { describe, expect, it } from 'vitest';
import { choosePair } from '../../suites/rlimits.js';

describe('choosePair', () => {
  it('takes the preferred pair when it lies under the inherited hard limit', () => {
    expect(choosePair('RLIMIT_NOFILE', { soft: 20000n, hard: 20000n }, false)).toEqual({ soft: 256n, hard: 512n });
    expect(choosePair('RLIMIT_CPU', { soft: 'unlimited', hard: 'unlimited' }, false)).toEqual({ soft: 3600n, hard: 7200n });
  });

  it('lowers under a smaller inherited hard limit, in whole units', () => {
    const p = choosePair('RLIMIT_MEMLOCK', { soft: 65536n, hard: 100_000n }, false);
    expect(p).toEqual({ soft: 49152n, hard: 99328n });
  });

  it('never returns the inherited pair', () => {
    const p = choosePair('RLIMIT_NOFILE', { soft: 256n, hard: 512n }, false);
    expect(p).not.toEqual({ soft: 256n, hard: 512n });
    expect(typeof p).toBe('object');
  });

  it('gives a reason when nothing lower exists and raising needs CAP_SYS_RESOURCE', () => {
    expect(choosePair('RLIMIT_NICE', { soft: 0n, hard: 0n }, false)).toMatch(/CAP_SYS_RESOURCE/);
    expect(choosePair('RLIMIT_NICE', { soft: 0n, hard: 0n }, true)).toEqual({ soft: 1n, hard: 2n });
  });

  it('gives a reason when the kernel has no such row', () => {
    expect(choosePair('RLIMIT_RTTIME', undefined, false)).toMatch(/no RLIMIT_RTTIME row/);
  });
});
