// process.rlimits values as the kernel takes them (uint64), digit for digit.
// JSON.parse reads numbers as doubles, which round above 2^53: RLIM_INFINITY,
// 18446744073709551615, becomes 2^64, past uint64. The digits are taken from the
// config's text instead.
import { hasUnusualNumbers, scanNumbers } from '../../schemas/raw-numbers.js';
import type { Rlimit } from './validate.js';

const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Records on each rlimit (`rlimits` is the parsed array found at `at`.rlimits in
 * `text`) the digits of the values JSON.parse could not hold exactly.
 */
export function keepExactRlimits(text: string, at: readonly string[], rlimits: Rlimit[] | undefined): void {
  if (!rlimits?.length || !hasUnusualNumbers(text)) return;
  scanNumbers(text, (path, literal) => {
    if (path.length !== at.length + 3 || !at.every((k, i) => path[i] === k) || path[at.length] !== 'rlimits') return;
    const [index, which] = [path[at.length + 1], path[at.length + 2]];
    if (typeof index !== 'number' || (which !== 'soft' && which !== 'hard')) return;
    if (!/^\d+$/.test(literal) || Number.isSafeInteger(Number(literal))) return;
    const r = rlimits[index];
    if (r) r.exact = { ...r.exact, [which]: literal };
  });
}

/** The value to give setrlimit. */
export function rlimitValue(r: Rlimit, which: 'soft' | 'hard'): bigint {
  const exact = r.exact?.[which];
  if (exact !== undefined) return BigInt(exact);
  const v = BigInt(r[which]);
  // Without the text (a caller that parsed it itself): what rounded up to 2^64 was the maximum.
  return v > UINT64_MAX ? UINT64_MAX : v;
}
