// features.md: the Features structure a runtime may print, in spec order.
import type { Level, Requirement } from './types.js';

const r = (id: string, section: string, level: Level, summary: string): Requirement => ({
  id,
  spec: 'features.md',
  section,
  level,
  summary,
});

export const requirements: Requirement[] = [
  // Features structure in general
  r('features:structure.provided', 'features', 'MAY', 'A runtime may offer a JSON description of what it implements.'),
  r('features:structure.build-time', 'features', 'SHOULD', 'Its content is fixed when the runtime is built, not probed from the host at run time.'),
  r('features:structure.optional-fields', 'features', 'MAY', 'Apart from ociVersionMin/Max, every property may be missing or null.'),
  r('features:structure.null-not-empty', 'features', 'MUST NOT', 'A null value is never taken to mean 0, false, "", [] or {}.'),

  // Specification version
  r('features:oci-version.min-required', 'featuresSpecificationVersion', 'MUST', '`ociVersionMin` is present.'),
  r('features:oci-version.min-accepted', 'featuresSpecificationVersion', 'MUST', 'A config.json whose ociVersion equals `ociVersionMin` is accepted.'),
  r('features:oci-version.max-required', 'featuresSpecificationVersion', 'MUST', '`ociVersionMax` is present.'),
  r('features:oci-version.max-accepted', 'featuresSpecificationVersion', 'MUST', 'A config.json whose ociVersion equals `ociVersionMax` is accepted.'),
  r('features:oci-version.max-not-below-min', 'featuresSpecificationVersion', 'MUST NOT', '`ociVersionMax` is not lower than `ociVersionMin`.'),
  r(
    'features:oci-version.known-properties',
    'featuresSpecificationVersion',
    'MUST NOT',
    'The structure holds no property that the spec version it claims does not define.',
  ),

  // Hooks, mount options, platform
  r('features:hooks.supported', 'featuresHooks', 'MUST', 'Every hook name listed in `hooks` works as a config.json hook.'),
  r('features:mount-options.recognized', 'featuresMountOptions', 'MUST', "Every name listed in `mountOptions` is understood in a mount's `options`."),
  r(
    'features:mount-options.no-fs-specific',
    'featuresMountOptions',
    'SHOULD NOT',
    'On Linux `mountOptions` leaves out filesystem-specific options (mount(2) data).',
  ),
  r('features:platform.linux', 'featuresPlatformSpecificFeatures', 'MAY', 'A `linux` object may be present when the runtime supports Linux.'),

  // Annotations
  r('features:annotations.format', 'featuresAnnotations', 'MUST', '`annotations` is a string-to-string map with the key rules of config.json annotations.'),
];

/** Entries whose level is not an upper-case keyword of the sentence they come from. */
export const inferred: readonly string[] = [];
