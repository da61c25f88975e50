// Building blocks shared by our schemas: the spec's integer widths, string enums,
// the string syntaxes it defines, and `null`-able values for the features structure.
//
// `errorMessage` is the ajv-errors keyword (string form): tools that use ajv-errors
// get the same human message we print, and ./problems.ts honours it for every
// keyword except `type` (a wrong type gets "must be a string" instead).
import { Type, type TSchema, type TUnsafe, type SchemaOptions } from '@sinclair/typebox';

// 2^63-1 and 2^64-1 are not doubles: they round up to 2^63 and 2^64. Values read with
// JSON.parse round the same way, so RLIM_INFINITY (18446744073709551615) still passes.
// ./raw-numbers.ts checks the exact digits when the JSON text is at hand.
const INT64_MIN = -(2 ** 63);
const INT64_MAX = Number(2n ** 63n - 1n);
const UINT64_MAX = Number(2n ** 64n - 1n);

export const Int32 = (o: SchemaOptions = {}) => Type.Integer({ minimum: -(2 ** 31), maximum: 2 ** 31 - 1, ...o });
export const Uint16 = (o: SchemaOptions = {}) => Type.Integer({ minimum: 0, maximum: 2 ** 16 - 1, ...o });
export const Uint32 = (o: SchemaOptions = {}) => Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, ...o });
export const Int64 = (o: SchemaOptions = {}) => Type.Integer({ minimum: INT64_MIN, maximum: INT64_MAX, ...o });
export const Uint64 = (o: SchemaOptions = {}) => Type.Integer({ minimum: 0, maximum: UINT64_MAX, ...o });
/** The spec's `uint` without a width (Go's `uint`, 64 bits on Linux). */
export const Uint = (o: SchemaOptions = {}) => Uint64(o);
/** The spec's `int` without a width. */
export const Int = (o: SchemaOptions = {}) => Int64(o);

/**
 * A string limited to the spec's list. One `enum` keyword instead of a union of
 * `const`s, so a wrong value is one error that names the allowed values.
 */
export function StringEnum<const T extends readonly string[]>(values: T, o: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...o, type: 'string', enum: [...values] });
}

/** Features: every property but the versions "MAY either be absent or have the null value" (features.md#features). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** POSIX absolute path. */
export const AbsolutePath = (o: SchemaOptions = {}) => Type.String({ pattern: '^/', errorMessage: 'must be an absolute path', ...o });

/** SemVer 2.0.0 (https://semver.org/spec/v2.0.0.html), written from its BNF. */
export const SEMVER_PATTERN = [
  '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)',
  // pre-release: dot-separated identifiers; numeric ones without leading zeros
  '(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?',
  // build metadata: dot-separated non-empty identifiers
  '(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$',
].join('');

export const SemVer = (o: SchemaOptions = {}) => Type.String({ pattern: SEMVER_PATTERN, errorMessage: 'must be a SemVer 2.0.0 version such as 1.3.0', ...o });

/** "a comma-separated list, with dashes to represent ranges. For example, `0-3,7`" (config-linux.md#configLinuxCPU). */
export const CpuList = (o: SchemaOptions = {}) =>
  Type.String({
    pattern: '^([0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)?$',
    errorMessage: 'must be a list like 0-3,7',
    ...o,
  });
