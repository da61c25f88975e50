// The requirement catalogue: the spec's requirements, one entry each, in our own words.

export type Level = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY';

export type SpecFile = 'runtime.md' | 'runtime-linux.md' | 'config.md' | 'config-linux.md' | 'features.md' | 'features-linux.md';

export interface Requirement {
  /** Stable ID, `<file stem>:<section>.<what>`, e.g. `runtime:create.unique-id`. */
  id: string;
  spec: SpecFile;
  /** The spec's anchor for the section (`runtimeCreate`), so a report can link to it. */
  section: string;
  level: Level;
  /** One line in our own words (never the spec's text). */
  summary: string;
}
