// The state JSON that `state` prints and hooks read on stdin (runtime.md#runtimeState).
import { Type, type Static } from '@sinclair/typebox';
import { STATUSES, type SpecStatus } from './enums.js';
import { Int } from './types.js';

/**
 * "Additional values MAY be defined by the runtime", so any non-empty string passes;
 * the type still offers the spec's four.
 */
// (string & {}) keeps the four literals visible to editors instead of widening to string.
export type Status = SpecStatus | (string & {});

/** The statuses in which the container process exists, and so `pid` is REQUIRED on Linux. */
export const STATUSES_WITH_PID: readonly SpecStatus[] = ['created', 'running'];

export const StateSchema = Type.Object(
  {
    // A string, as runtime.md and the spec's own schema/state-schema.json say: only
    // config.md makes a config's ociVersion SemVer, and crun reports "1.0" here.
    ociVersion: Type.String(),
    id: Type.String({ minLength: 1 }),
    status: Type.Unsafe<Status>(Type.String({ minLength: 1 })),
    pid: Type.Optional(Int()),
    bundle: Type.String({
      // POSIX or Windows: the state schema is shared by every platform.
      pattern: '^(/|[A-Za-z]:[\\\\/]|\\\\\\\\)',
      errorMessage: 'must be an absolute path',
    }),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'OCI runtime-spec 1.3.0 container state',
    // "pid (int, REQUIRED when status is created or running on Linux)". A process ID
    // is positive: 0 and negative numbers mean process groups or "every process" to kill(2).
    if: { properties: { status: { type: 'string', enum: [...STATUSES_WITH_PID] } }, required: ['status'] },
    then: {
      // Two subschemas, so that each errorMessage covers only its own keyword.
      allOf: [
        { required: ['pid'], errorMessage: 'is required when status is created or running' },
        { properties: { pid: { type: 'integer', minimum: 1, errorMessage: 'must be a process ID (> 0) when status is created or running' } } },
      ],
    },
  },
);
export type State = Static<typeof StateSchema>;

export { STATUSES };
