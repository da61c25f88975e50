// config.md "Annotations": what runtimes accept and carry into the state. The state
// suite has the basic echo (state.annotations); these cases push on volume, odd keys
// and values, the reserved org.opencontainers namespace and keys the spec forbids.
import { defineCase } from '../harness/case/case.js';
import type { CaseContext, ContainerState } from '../harness/case/context.js';
import { expectRefused, refusalOf } from './support/refuse.js';

const hold = { only: ['meta'], hold: true };

/**
 * The created container's state, whose annotations must be what config.json had: about
 * runtime:state.annotations (the state MAY carry them; when it does, they are these).
 */
async function echoed(t: CaseContext): Promise<ContainerState> {
  const st = await t.create();
  if (st.annotations === undefined) t.skip('the runtime does not report annotations in its state (runtime.md makes the property optional)');
  t.req('runtime:state.annotations').equal(st.annotations, t.bundle.config.annotations, 'annotations in the state of the created container');
  return st;
}

/** And the container still runs as configured: the annotations changed nothing (`t`: about the config's requirements). */
async function runs(t: CaseContext): Promise<void> {
  await t.start();
  await t.waitOutput('@@ready');
  t.equal((await t.state()).status, 'running', 'status after start');
}

const MANY = 300;

/** A value of `n` bytes of printable ASCII, so that nothing but length is unusual. */
const long = (n: number) => 'conform-'.repeat(Math.ceil(n / 8)).slice(0, n);

export default [
  defineCase({
    id: 'annotations.many',
    title: `${MANY} annotations are all carried into the state, exactly`,
    requirements: ['config:annotations.map', 'runtime:state.annotations', 'config:annotations.unknown-keys'],
    exercises: ['annotations'],
    // Ignoring them is not catchable (annotations are OPTIONAL in the state): the strip
    // wrapper replaces them instead, and the case must see other annotations than its own.
    tamper: { annotations: { 'org.example.conform.tampered': 'not the configured map' } },
    bundle: (b) => {
      b.probe(hold);
      for (let i = 0; i < MANY; i++) b.annotation(`org.example.conform.many.key${String(i).padStart(3, '0')}`, `value ${i}`);
    },
    async check(t) {
      await echoed(t);
      await runs(t.req('config:annotations.map', 'config:annotations.unknown-keys'));
    },
  }),

  defineCase({
    id: 'annotations.values',
    title: 'values are opaque strings: empty, multi-line, JSON text, quotes and backslashes, UTF-8, 64 KiB',
    requirements: ['config:annotations.value-string', 'config:annotations.value-empty', 'runtime:state.annotations'],
    exercises: ['annotations'],
    // Ignoring them is not catchable (annotations are OPTIONAL in the state): the strip
    // wrapper replaces them instead, and the case must see other annotations than its own.
    tamper: { annotations: { 'org.example.conform.tampered': 'not the configured map' } },
    bundle: (b) =>
      b
        .probe(hold)
        .annotation('org.example.conform.empty', '')
        .annotation('org.example.conform.lines', 'line one\nline two\n')
        .annotation('org.example.conform.json', '{"nested": {"a": [1, 2, 3]}, "b": null}')
        .annotation('org.example.conform.quotes', 'say "hi" \\ and \'bye\' \t tab')
        .annotation('org.example.conform.utf8', 'ünïcödé ✓ 日本語 🚀')
        .annotation('org.example.conform.large', long(64 * 1024)),
    async check(t) {
      await echoed(t);
      await runs(t.req('config:annotations.value-string', 'config:annotations.value-empty'));
    },
  }),

  defineCase({
    id: 'annotations.keys',
    title: 'keys outside reverse-domain notation (a SHOULD) are still accepted and carried: plain, upper-case, slashes, UTF-8, long',
    requirements: ['config:annotations.key-reverse-domain', 'config:annotations.key-string', 'config:annotations.unknown-keys', 'runtime:state.annotations'],
    exercises: ['annotations'],
    // Ignoring them is not catchable (annotations are OPTIONAL in the state): the strip
    // wrapper replaces them instead, and the case must see other annotations than its own.
    tamper: { annotations: { 'org.example.conform.tampered': 'not the configured map' } },
    bundle: (b) =>
      b
        .probe(hold)
        .annotation('plainkey', 'v1')
        .annotation('COM.EXAMPLE.UPPER', 'v2')
        .annotation('example.com/slashed-key', 'v3')
        .annotation('org.example.日本.key', 'v4')
        .annotation(`org.example.conform.${long(1000)}`, 'v5')
        .annotation(' ', 'a key that is one space'),
    async check(t) {
      await echoed(t);
      await runs(t.req('config:annotations.key-string', 'config:annotations.unknown-keys'));
    },
  }),

  defineCase({
    id: 'annotations.oci-image-keys',
    title: 'the org.opencontainers.image.* keys the spec defines are accepted and carried like any annotation',
    requirements: ['config:annotations.unknown-keys', 'runtime:state.annotations'],
    exercises: ['annotations'],
    // Ignoring them is not catchable (annotations are OPTIONAL in the state): the strip
    // wrapper replaces them instead, and the case must see other annotations than its own.
    tamper: { annotations: { 'org.example.conform.tampered': 'not the configured map' } },
    bundle: (b) =>
      b
        .probe(hold)
        .annotation('org.opencontainers.image.os', 'linux')
        .annotation('org.opencontainers.image.os.version', '6.1.0')
        .annotation('org.opencontainers.image.architecture', 'amd64')
        .annotation('org.opencontainers.image.author', 'conform <conform@example.com>')
        .annotation('org.opencontainers.image.created', '2024-01-02T03:04:05Z')
        .annotation('org.opencontainers.image.stopSignal', 'SIGTERM'),
    async check(t) {
      await echoed(t);
      await runs(t.req('config:annotations.unknown-keys'));
    },
  }),

  // Not exercisable: without `annotations` the outcome is the same, by design.
  defineCase({
    id: 'annotations.empty-map',
    title: 'annotations {} is accepted; the state then has no annotations (absent or {})',
    requirements: ['config:annotations.none', 'runtime:state.annotations-none'],
    // A runtime that reports annotations of its own in the state.
    tamper: { annotations: { 'org.example.conform.tamper': 'x' } },
    bundle: (b) => b.probe(hold).set('annotations', {}),
    async check(t) {
      const st = await t.create();
      const a = st.annotations;
      t.req('runtime:state.annotations-none').ok(
        a === undefined || (typeof a === 'object' && a !== null && !Array.isArray(a) && Object.keys(a).length === 0),
        'state annotations are absent or {}',
        { actual: a },
      );
      await runs(t.req('config:annotations.none'));
    },
  }),

  // config.md#configAnnotations: "Keys MUST NOT be an empty string." makes the config
  // invalid, and config.md#valid-values decides: "Runtimes MUST generate an error when
  // invalid or unsupported values are encountered." ("Runtimes MUST handle unknown
  // annotation keys like any other unknown property" is about keys, well formed but
  // unknown; "" is no key the section allows.)
  defineCase({
    id: 'annotations.invalid.empty-key',
    title: 'an annotation with an empty key makes create fail',
    requirements: ['config:annotations.key-non-empty', 'config:valid-values.invalid-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['annotations'],
    invalid: true,
    bundle: (b) => b.probe(hold).annotation('', 'empty key').annotation('org.example.conform.ok', 'v'),
    async check(t) {
      await expectRefused(refusalOf(t), 'an annotation whose key is ""');
    },
  }),

  defineCase({
    id: 'annotations.invalid.reserved-key',
    title: 'a key in the reserved org.opencontainers namespace that the spec does not define makes create fail',
    requirements: ['config:annotations.reserved-namespace', 'config:valid-values.invalid-error', 'config:annotations.unknown-keys'],
    disputed:
      'config.md says annotations using org.opencontainers keys MUST be as the section describes, but that the other keys "are reserved and MUST NOT be used by subsequent specifications" (a rule for specifications, not configs), and that runtimes MUST handle unknown annotation keys like unknown properties (ignore them); the image-spec\'s conversion defines more keys (exposedPorts) that umoci writes, and runc and crun accept them',
    // Not `invalid`: our validator only warns (schemas/rules/config-top.ts), for the same reasons.
    bundle: (b) => b.probe(hold).annotation('org.opencontainers.conform.undefined', 'v'),
    async check(t) {
      const refusal = t.req('config:annotations.reserved-namespace', 'config:valid-values.invalid-error');
      const r = await t.rt.create(t.id, t.bundle.dir);
      if (!r.ok) {
        t.note('the runtime refused the reserved key');
        refusal.expectError(await t.rt.state(t.id), 'state after the refused create');
        return;
      }
      await t.state();
      t.note('the runtime accepted (ignored) the undefined org.opencontainers key');
      refusal.ok(false, 'create accepted an undefined key of the reserved org.opencontainers namespace');
    },
  }),
];
