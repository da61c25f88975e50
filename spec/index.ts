// The requirement catalogue: every normative requirement of the six Linux-relevant
// spec files, in spec order, so that cases can name what they check and
// `conform coverage` can count what nobody checks yet.
//
// ID convention: `<file stem>:<area>.<leaf>`, all kebab-case.
//   - area: the section's short name (`create`, `lifecycle`, `mounts`, `process`,
//     `namespaces`, `resources.memory`, `intel-rdt`, `seccomp`…), following the JSON
//     path for config fields (`process.rlimits`, `process.user`, `resources.cpu`).
//   - leaf: the field itself when the requirement is that field's effect
//     (`config:process.rlimits.soft`, `config-linux:resources.pids.limit`), `applied`
//     when the section is a single field (`config-linux:sysctl.applied`), otherwise the
//     behaviour: `required-fields`, `…-error`, `…-default`, `no-…`, `when`, `order`…
//   - mount options: `config:mounts.option.<name>`; default devices:
//     `config-linux:default-devices.<name>`; namespaces: `config-linux:namespaces.<type>`.
import type { Requirement, SpecFile } from './types.js';
import * as runtime from './runtime.js';
import * as runtimeLinux from './runtime-linux.js';
import * as config from './config.js';
import * as configLinux from './config-linux.js';
import * as features from './features.js';
import * as featuresLinux from './features-linux.js';

export type { Level, Requirement, SpecFile } from './types.js';

/** The spec files the catalogue covers, in reading order. */
export const SPEC_FILES: readonly SpecFile[] = ['runtime.md', 'runtime-linux.md', 'config.md', 'config-linux.md', 'features.md', 'features-linux.md'];

/** The runtime-spec release our links point at. */
export const SPEC_TAG = 'v1.3.0';

const BY_FILE: Readonly<Record<SpecFile, { requirements: Requirement[]; inferred: readonly string[] }>> = {
  'runtime.md': runtime,
  'runtime-linux.md': runtimeLinux,
  'config.md': config,
  'config-linux.md': configLinux,
  'features.md': features,
  'features-linux.md': featuresLinux,
};

/** Every requirement, file by file in SPEC_FILES order, each file in spec order. */
export const REQUIREMENTS: readonly Requirement[] = SPEC_FILES.flatMap((f) => BY_FILE[f].requirements);

/** The requirements of one spec file, in spec order. */
export function requirementsOf(spec: SpecFile): readonly Requirement[] {
  return BY_FILE[spec].requirements;
}

/**
 * IDs whose level is ours, not a keyword of the sentence: a field definition that
 * prescribes the runtime's behaviour ("sets the hostname"), or a lower-case must/should.
 * Reports may show these with less weight than the spec's own MUSTs.
 */
export const INFERRED: ReadonlySet<string> = new Set(SPEC_FILES.flatMap((f) => BY_FILE[f].inferred));

const byId = new Map(REQUIREMENTS.map((r) => [r.id, r] as const));

export function requirementById(id: string): Requirement | undefined {
  return byId.get(id);
}

/** The spec file a requirement ID belongs to, read from its prefix (`config-linux:` → config-linux.md). */
export function specOfId(id: string): SpecFile | undefined {
  const stem = id.slice(0, id.indexOf(':'));
  return SPEC_FILES.find((f) => f === `${stem}.md`);
}

/** A link to the requirement's section at the release tag. */
export function specUrl(req: Pick<Requirement, 'spec' | 'section'>): string {
  return `https://github.com/opencontainers/runtime-spec/blob/${SPEC_TAG}/${req.spec}#${req.section}`;
}
