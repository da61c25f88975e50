import { describe, expect, test } from 'vitest';
import { toPlain } from '../../reports/plain.js';
import { describeRuntime, formatDuration, oneLine, seconds, truncate } from '../../reports/text.js';
import { yamlLines } from '../../reports/yaml.js';

describe('text helpers', () => {
  test.each([
    ['  a\n  b  ', 'a b'],
    ['a\r\nb\rc', 'a b c'],
    ['tab\there', 'tab here'],
    ['esc \u001b[0m nul \u0000 del \u007f c1 \u0085 sep \u2028 end', 'esc \\x1b[0m nul \\x00 del \\x7f c1 \\x85 sep \\u2028 end'],
  ])('oneLine(%j)', (input, expected) => {
    expect(oneLine(input)).toBe(expected);
  });

  test('truncate counts code points and marks the cut', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('✓✓✓✓', 3)).toBe('✓✓…');
    expect(truncate('abc', 0)).toBe('');
  });

  test.each([
    [0, '0 ms'],
    [849.6, '850 ms'],
    [12_345, '12.3 s'],
    [125_000, '2m 05s'],
    [3_725_000, '1h 02m'],
    [Number.NaN, '0 ms'],
    [-5, '0 ms'],
  ])('formatDuration(%s) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test('seconds has three decimals', () => {
    expect(seconds(1234)).toBe('1.234');
    expect(seconds(Number.NaN)).toBe('0.000');
  });

  test('describeRuntime quotes arguments with spaces', () => {
    expect(describeRuntime({ path: '/usr/bin/runsc', args: ['--network=none', 'a b'] })).toBe('/usr/bin/runsc --network=none "a b"');
  });
});

describe('toPlain', () => {
  test('keeps JSON data as it is', () => {
    const data = { a: [1, 'two', null, true, { b: -0 }] };
    expect(toPlain(data)).toEqual({ a: [1, 'two', null, true, { b: 0 }] });
  });

  test('a shared object that is not a cycle is written twice, not marked circular', () => {
    const shared = { x: 1 };
    expect(toPlain({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  test('undefined inside arrays becomes null, inside objects it is left out', () => {
    expect(toPlain([undefined, { k: undefined }])).toEqual([null, {}]);
    expect(toPlain(undefined)).toBeUndefined();
  });

  test('a throwing toJSON does not throw', () => {
    expect(
      toPlain({
        toJSON: () => {
          throw new Error('nope');
        },
      }),
    ).toBe('[unserializable: nope]');
  });
});

describe('yamlLines', () => {
  test('writes nested blocks with compact sequence items', () => {
    expect(yamlLines({ outcome: 'fail', list: [{ a: 1, b: 'two words' }, [1]], empty: [], obj: {} }, 2)).toEqual([
      '  outcome: fail',
      '  list:',
      '    - a: 1',
      '      b: "two words"',
      '    - - 1',
      '  empty: []',
      '  obj: {}',
    ]);
  });
});
