// The JSON report's format as a JSON Schema, published as schemas/json/report.schema.json
// (node scripts/emit-schemas.mjs) for the tools that read reports, and used by conform's
// own readers (`merge`, `report`, `baseline`, `matrix`) to refuse what is not a report. It
// is closed (no unknown keys) so that the tests, which validate real reports against it,
// catch a field the schema does not document.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CONVENTIONS, OUTCOMES, type CheckOutcome, type Convention, type Outcome } from '../harness/run/result.js';
import type { Level } from '../spec/index.js';
import { REPORT_FORMAT, type JsonReport, type RequirementVerdict } from './json.js';

const VERDICTS: readonly RequirementVerdict[] = ['pass', 'warn', 'fail', 'error', 'disputed', 'untested', 'incomplete'];
const CHECK_OUTCOMES: readonly CheckOutcome[] = ['pass', 'warn', 'fail', 'unchecked', 'skip', 'disputed', 'error'];
const LEVELS: readonly Level[] = ['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY'];

const closed = <T extends Record<string, TSchema>>(props: T, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });
const Count = Type.Integer({ minimum: 0 });
const OutcomeSchema = Type.Unsafe<Outcome>({ type: 'string', enum: [...OUTCOMES] });
const CheckSchema = Type.Unsafe<CheckOutcome>({ type: 'string', enum: [...CHECK_OUTCOMES], description: 'what a case found about one requirement' });
const LevelSchema = Type.Unsafe<Level>({ type: 'string', enum: [...LEVELS] });
const Host = closed({ hostname: Type.String(), kernel: Type.String(), arch: Type.String(), cgroup: Type.String({ description: 'v1, v2, hybrid or none' }) });
const Tag = Type.String({ description: "the run's tag: the suffix of its container ids and of the names of its engines' cgroups (conform-podman-TAG)" });
const Shard = closed({ index: Type.Integer({ minimum: 1 }), count: Type.Integer({ minimum: 1 }) });
const Ms = (description: string) => Type.Integer({ minimum: 0, description: `${description}, in ms` });

// harness/run/timing.ts: where a case's (and a run's) time went.
const caseTimingProps = {
  runtimeMs: Ms('summed wall time of the runtime calls'),
  runtimeCalls: Count,
  waitMs: Ms('summed pauses between polls of the container'),
  engineMs: Type.Optional(Ms("summed wall time of the engines' commands (podman, ctr) and of their processes winding down at cleanup")),
  bundleMs: Ms('building the bundles: config, files, rootfs overlay, schema check'),
  cleanupMs: Ms("conform's own part of cleanup (its runtime calls, waits and engine commands not included)"),
  harnessMs: Ms("the rest: conform's own work (probe parsing, verdicts…) and waiting for the event loop"),
};
const CaseTiming = closed(caseTimingProps, "where the case's time went");
const RunTiming = closed(
  {
    ...caseTimingProps,
    jobs: Type.Integer({ minimum: 1 }),
    planMs: Ms('when the plan was ready, since the process started'),
    maxRssKb: Type.Integer({ minimum: 0, description: 'peak resident set of the conform process, in kB' }),
    overhead: Type.Optional(
      Type.Number({ minimum: 0, description: '(wall time × jobs) ÷ (runtime calls + waits + engine commands): 1 means conform itself cost nothing' }),
    ),
  },
  "where the run's time went: the sums over its cases, and what the process cost (a merged run: the shards' sums, the largest planMs and maxRssKb)",
);

const Failure = closed(
  {
    message: Type.String(),
    expected: Type.Optional(Type.Unknown({ description: 'what the case expected (any JSON value)' })),
    actual: Type.Optional(Type.Unknown({ description: 'what it found (any JSON value)' })),
    requirement: Type.Optional(Type.String({ description: 'the requirement the assertion checks; absent: the whole case could not go on' })),
  },
  'one failed expectation of a case',
);

const CaseResult = closed({
  id: Type.String(),
  area: Type.String(),
  title: Type.String(),
  requirements: Type.Array(Type.String(), { description: 'requirement IDs of the catalogue (`conform coverage`)' }),
  convention: Type.Optional(
    Type.Unsafe<Convention>({
      type: 'string',
      enum: Object.keys(CONVENTIONS),
      description:
        'the case checks a convention beyond the spec (runc-cli: the runc command line engines call); its failure is a warn and breaks no requirement',
    }),
  ),
  checks: Type.Array(closed({ id: Type.String(), level: LevelSchema, outcome: CheckSchema }), {
    description: 'each cited requirement: its level and what this case found about it',
  }),
  outcome: OutcomeSchema,
  message: Type.Optional(Type.String({ description: 'one line: why it failed, was skipped, is disputed, or the baseline reason' })),
  failures: Type.Array(Failure),
  notes: Type.Array(Type.String()),
  durationMs: Count,
  startMs: Type.Optional(Type.Integer({ minimum: 0, description: 'when the case started, in ms after the run started' })),
  timing: Type.Optional(CaseTiming),
  dir: Type.Optional(Type.String({ description: "with --keep: the case's files" })),
  expectedSkip: Type.Optional(Type.Boolean({ description: "a skip the baseline's notImplemented lists" })),
  runtimeLog: Type.Optional(Type.String({ description: "a failed case's runtime calls with their exits and stderr (the tail)" })),
});

export const ReportSchema = Type.Object(
  {
    format: Type.Literal(REPORT_FORMAT),
    runtime: closed({
      path: Type.String(),
      args: Type.Array(Type.String()),
      version: Type.Optional(Type.String({ description: 'first line of `RUNTIME --version`' })),
      features: Type.Optional(Type.Unknown({ description: 'what `RUNTIME features` printed, when valid' })),
    }),
    startedAt: Type.String({ format: 'date-time' }),
    durationMs: Count,
    exitCode: Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1 when the run fails the gate, or was cut short' }),
    context: closed(
      {
        conform: Type.String({ description: "conform's version" }),
        plan: closed({
          hash: Type.String({ description: "the whole plan's case ids, hashed: shards of one plan share it" }),
          cases: Count,
          shard: Type.Optional(Shard),
        }),
        host: Host,
        strict: Type.Boolean(),
        baseline: Type.Optional(closed({ file: Type.String(), hash: Type.String() })),
        tag: Type.Optional(Tag),
        shards: Type.Optional(
          Type.Array(
            closed({
              index: Type.Integer({ minimum: 1 }),
              startedAt: Type.String({ format: 'date-time' }),
              durationMs: Count,
              host: Host,
              tag: Type.Optional(Tag),
            }),
            {
              description: 'a merged run: its shards',
            },
          ),
        ),
      },
      'where and how the run happened',
    ),
    partial: Type.Optional(closed({ reason: Type.String(), notRun: Type.Array(Type.String()) }, 'the run did not report every planned case')),
    counts: closed(Object.fromEntries(OUTCOMES.map((o) => [o, Count])) as Record<Outcome, typeof Count>),
    requirements: Type.Record(
      Type.String(),
      closed({
        level: LevelSchema,
        verdict: Type.Unsafe<RequirementVerdict>({ type: 'string', enum: [...VERDICTS] }),
        cases: Type.Record(Type.String(), CheckSchema),
      }),
    ),
    results: Type.Array(CaseResult),
    timing: Type.Optional(RunTiming),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'conform JSON report (conform --json)',
    additionalProperties: false,
  },
);

// The interfaces in json.ts are what the code writes; this fails to compile when they and
// the schema drift apart.
type Matches = JsonReport extends Static<typeof ReportSchema> ? true : never;
export const REPORT_TYPE_MATCHES_SCHEMA: Matches = true;
