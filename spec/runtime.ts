// runtime.md: the state, the lifecycle and the operations, in spec order.
import type { Level, Requirement } from './types.js';

const r = (id: string, section: string, level: Level, summary: string): Requirement => ({
  id,
  spec: 'runtime.md',
  section,
  level,
  summary,
});

export const requirements: Requirement[] = [
  // Scope of a container
  r('runtime:scope.same-caller', 'runtimeScopeContainer', 'MUST', 'Whoever created a container can run every operation of the spec on it.'),

  // State
  r('runtime:state.oci-version', 'runtimeState', 'MUST', 'The state carries `ociVersion`, the spec version it follows.'),
  r('runtime:state.id', 'runtimeState', 'MUST', 'The state carries the container `id`.'),
  r('runtime:state.id-unique', 'runtimeState', 'MUST', 'No two containers on one host share an `id`.'),
  r('runtime:state.status', 'runtimeState', 'MUST', 'The state carries a `status` string.'),
  r(
    'runtime:state.status-creating',
    'runtimeState',
    'MUST',
    'A state reported while create is still in progress reads `creating` (the value for that state; others are for new states).',
  ),
  r(
    'runtime:state.status-created',
    'runtimeState',
    'MUST',
    'After create returns and before the user program is exec-ed (and while the init lives) the status reads `created`.',
  ),
  r('runtime:state.status-running', 'runtimeState', 'MUST', 'Once the user program has been exec-ed and until it exits the status reads `running`.'),
  r('runtime:state.status-stopped', 'runtimeState', 'MUST', 'After the container process has exited the status reads `stopped`.'),
  r('runtime:state.status-extra', 'runtimeState', 'MUST', 'A runtime-specific status value only ever names a state outside the four standard ones.'),
  r('runtime:state.pid', 'runtimeState', 'MUST', 'On Linux, a `created` or `running` container has a `pid` in its state.'),
  r('runtime:state.pid-runtime-hooks', 'runtimeState', 'MUST', 'Hooks run in the runtime namespace receive the pid as the runtime sees it.'),
  r('runtime:state.pid-container-hooks', 'runtimeState', 'MUST', 'Hooks run in the container namespace receive the pid as the container sees it.'),
  r('runtime:state.bundle', 'runtimeState', 'MUST', 'The state carries `bundle`, an absolute path to the bundle directory.'),
  r('runtime:state.annotations', 'runtimeState', 'MAY', 'The state may list the annotations of the container (those from config.json).'),
  r('runtime:state.annotations-none', 'runtimeState', 'MAY', 'With no annotations configured, `annotations` is either missing or `{}`.'),
  r('runtime:state.extra-properties', 'runtimeState', 'MAY', 'The state may hold properties beyond the ones the spec defines.'),
  r('runtime:state.schema', 'runtimeState', 'MUST', 'State JSON validates against schema/state-schema.json.'),

  // Lifecycle
  r('runtime:lifecycle.create-environment', 'runtimeLifecycle', 'MUST', 'Create builds the container environment exactly as config.json describes.'),
  r('runtime:lifecycle.create-error', 'runtimeLifecycle', 'MUST', 'Create fails with an error when the described environment cannot be built.'),
  r('runtime:lifecycle.create-resources', 'runtimeLifecycle', 'MUST', 'Every resource config.json requests exists once create has finished.'),
  r('runtime:lifecycle.create-no-program', 'runtimeLifecycle', 'MUST NOT', 'The user program from `process` does not run during create.'),
  r('runtime:lifecycle.config-frozen', 'runtimeLifecycle', 'MUST NOT', 'Editing config.json after create has no effect on the container.'),
  r('runtime:lifecycle.prestart-invoked', 'runtimeLifecycle', 'MUST', 'The runtime runs the `prestart` hooks.'),
  r('runtime:lifecycle.prestart-fail-error', 'runtimeLifecycle', 'MUST', 'A failing `prestart` hook makes the operation report an error.'),
  r('runtime:lifecycle.prestart-fail-stop', 'runtimeLifecycle', 'MUST', 'A failing `prestart` hook makes the runtime stop the container.'),
  r(
    'runtime:lifecycle.prestart-fail-destroy',
    'runtimeLifecycle',
    'MUST',
    'After a failing `prestart` hook the runtime goes on to destroy the container and run poststop (step 12).',
  ),
  r('runtime:lifecycle.create-runtime-invoked', 'runtimeLifecycle', 'MUST', 'The runtime runs the `createRuntime` hooks.'),
  r('runtime:lifecycle.create-runtime-fail-error', 'runtimeLifecycle', 'MUST', 'A failing `createRuntime` hook makes the operation report an error.'),
  r('runtime:lifecycle.create-runtime-fail-stop', 'runtimeLifecycle', 'MUST', 'A failing `createRuntime` hook makes the runtime stop the container.'),
  r(
    'runtime:lifecycle.create-runtime-fail-destroy',
    'runtimeLifecycle',
    'MUST',
    'After a failing `createRuntime` hook the runtime goes on to destroy the container and run poststop (step 12).',
  ),
  r('runtime:lifecycle.create-container-invoked', 'runtimeLifecycle', 'MUST', 'The runtime runs the `createContainer` hooks.'),
  r('runtime:lifecycle.create-container-fail-error', 'runtimeLifecycle', 'MUST', 'A failing `createContainer` hook makes the operation report an error.'),
  r('runtime:lifecycle.create-container-fail-stop', 'runtimeLifecycle', 'MUST', 'A failing `createContainer` hook makes the runtime stop the container.'),
  r(
    'runtime:lifecycle.create-container-fail-destroy',
    'runtimeLifecycle',
    'MUST',
    'After a failing `createContainer` hook the runtime goes on to destroy the container and run poststop (step 12).',
  ),
  r('runtime:lifecycle.start-container-invoked', 'runtimeLifecycle', 'MUST', 'The runtime runs the `startContainer` hooks.'),
  r('runtime:lifecycle.start-container-fail-error', 'runtimeLifecycle', 'MUST', 'A failing `startContainer` hook makes the operation report an error.'),
  r('runtime:lifecycle.start-container-fail-stop', 'runtimeLifecycle', 'MUST', 'A failing `startContainer` hook makes the runtime stop the container.'),
  r(
    'runtime:lifecycle.start-container-fail-destroy',
    'runtimeLifecycle',
    'MUST',
    'After a failing `startContainer` hook the runtime goes on to destroy the container and run poststop (step 12).',
  ),
  r('runtime:lifecycle.start-runs-program', 'runtimeLifecycle', 'MUST', 'At step 8 the runtime executes the program that `process` describes.'),
  r('runtime:lifecycle.poststart-invoked', 'runtimeLifecycle', 'MUST', 'The runtime runs the `poststart` hooks.'),
  r('runtime:lifecycle.poststart-fail-error', 'runtimeLifecycle', 'MUST', 'A failing `poststart` hook makes the operation report an error.'),
  r('runtime:lifecycle.poststart-fail-stop', 'runtimeLifecycle', 'MUST', 'A failing `poststart` hook makes the runtime stop the container.'),
  r(
    'runtime:lifecycle.poststart-fail-destroy',
    'runtimeLifecycle',
    'MUST',
    'After a failing `poststart` hook the runtime goes on to destroy the container and run poststop (step 12).',
  ),
  r('runtime:lifecycle.delete-destroys', 'runtimeLifecycle', 'MUST', 'Destroying a container undoes everything create did.'),
  r('runtime:lifecycle.poststop-invoked', 'runtimeLifecycle', 'MUST', 'The runtime runs the `poststop` hooks.'),
  r('runtime:lifecycle.poststop-fail-warn', 'runtimeLifecycle', 'MUST', 'A failing `poststop` hook is reported as a warning, not an error.'),
  r(
    'runtime:lifecycle.poststop-fail-continue',
    'runtimeLifecycle',
    'MUST',
    'After a failing `poststop` hook the later hooks still run and delete completes as if it had passed.',
  ),

  // Errors and warnings
  r('runtime:errors.no-side-effects', 'runtimeErrors', 'MUST', 'An operation that fails leaves the host as it was before the attempt (logs aside).'),
  r('runtime:warnings.continue', 'runtimeWarnings', 'MUST', 'Logging a warning does not alter what the operation goes on to do.'),

  // Operations
  r('runtime:operations.supported', 'runtimeOperations', 'MUST', 'The runtime implements state, create, start, kill and delete.'),

  r('runtime:query-state.missing-id-error', 'runtimeQueryState', 'MUST', '`state` without a container ID is an error.'),
  r('runtime:query-state.unknown-id-error', 'runtimeQueryState', 'MUST', '`state` on an ID no container has is an error.'),
  r('runtime:query-state.returns-state', 'runtimeQueryState', 'MUST', '`state` prints the container state in the format the State section defines.'),

  r('runtime:create.missing-args-error', 'runtimeCreate', 'MUST', '`create` without both a container ID and a bundle path is an error.'),
  r('runtime:create.unique-id', 'runtimeCreate', 'MUST', "`create` with an ID already in use (within the runtime's scope) is an error."),
  r('runtime:create.invalid-id', 'runtimeCreate', 'MUST', '`create` with an ID the runtime finds invalid for any other reason is an error.'),
  r('runtime:create.bad-id-no-container', 'runtimeCreate', 'MUST NOT', 'A duplicate or invalid ID leaves no new container behind.'),
  r('runtime:create.new-container', 'runtimeCreate', 'MUST', '`create` makes a new container.'),
  r('runtime:create.apply-config', 'runtimeCreate', 'MUST', '`create` applies every config.json property other than `process`.'),
  r('runtime:create.no-process-run', 'runtimeCreate', 'MUST NOT', '`process.args` only takes effect when `start` is called, never at create.'),
  r('runtime:create.process-early', 'runtimeCreate', 'MAY', 'Other `process` properties (user, rlimits, cwd…) may already be applied by create.'),
  r('runtime:create.apply-fail-error', 'runtimeCreate', 'MUST', 'A property the runtime cannot apply as written makes `create` fail.'),
  r('runtime:create.apply-fail-no-container', 'runtimeCreate', 'MUST NOT', 'When a property cannot be applied, no container is left behind.'),
  r('runtime:create.validate', 'runtimeCreate', 'MAY', 'The runtime may check config.json (generically or against the host) before creating anything.'),

  r('runtime:start.missing-id-error', 'runtimeStart', 'MUST', '`start` without a container ID is an error.'),
  r('runtime:start.not-created-no-effect', 'runtimeStart', 'MUST', '`start` on a container whose status is not `created` leaves it untouched.'),
  r('runtime:start.not-created-error', 'runtimeStart', 'MUST', '`start` on a container whose status is not `created` is an error.'),
  r('runtime:start.runs-program', 'runtimeStart', 'MUST', '`start` executes the user program described by `process`.'),
  r('runtime:start.no-process-error', 'runtimeStart', 'MUST', '`start` on a container whose config has no `process` is an error.'),

  r('runtime:kill.missing-id-error', 'runtimeKill', 'MUST', '`kill` without a container ID is an error.'),
  r(
    'runtime:kill.not-running-no-effect',
    'runtimeKill',
    'MUST',
    '`kill` on a container whose status is other than `created` or `running` leaves it untouched.',
  ),
  r('runtime:kill.not-running-error', 'runtimeKill', 'MUST', '`kill` on a container whose status is other than `created` or `running` is an error.'),
  r('runtime:kill.sends-signal', 'runtimeKill', 'MUST', '`kill` delivers the given signal to the container process.'),

  r('runtime:delete.missing-id-error', 'runtimeDelete', 'MUST', '`delete` without a container ID is an error.'),
  r('runtime:delete.not-stopped-no-effect', 'runtimeDelete', 'MUST', '`delete` on a container that is not `stopped` leaves it untouched.'),
  r('runtime:delete.not-stopped-error', 'runtimeDelete', 'MUST', '`delete` on a container that is not `stopped` is an error.'),
  r('runtime:delete.removes-resources', 'runtimeDelete', 'MUST', '`delete` removes what create made for the container.'),
  r(
    'runtime:delete.keeps-foreign-resources',
    'runtimeDelete',
    'MUST NOT',
    '`delete` leaves alone resources the container used but did not create (e.g. joined namespaces, bind sources).',
  ),
  r('runtime:delete.id-reusable', 'runtimeDelete', 'MAY', 'After delete, a new container may take the same ID.'),
];

/**
 * Entries whose level is not an upper-case keyword of the sentence they come from:
 * the text defines a field or a state so that the runtime has no choice.
 */
export const inferred: readonly string[] = [
  // `status` is REQUIRED and its values are defined; the list itself is introduced with "MAY be one of".
  'runtime:state.status-creating',
  'runtime:state.status-created',
  'runtime:state.status-running',
  'runtime:state.status-stopped',
  // The `pid` field's definition for hooks.
  'runtime:state.pid-runtime-hooks',
  'runtime:state.pid-container-hooks',
];
