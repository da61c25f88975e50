// Static rules for config.json's top-level fields: ociVersion, hostname/domainname,
// hooks and annotations (config.md).
import { OCI_ANNOTATION_KEYS } from '../enums.js';
import { isDateTime } from '../index.js';
import { parseSemVer } from '../semver.js';
import { entries, list, namespaces, type Finding, type Rule } from './rule.js';

const OCI_KEYS = new Set<string>(OCI_ANNOTATION_KEYS);

export const topLevelRules: Rule[] = [
  {
    id: 'ociVersion.major',
    spec: 'config.md#configSpecificationVersion',
    requirement: 'config:oci-version.semver',
    level: 'warning',
    affectsRun: true,
    // Compatibility holds "within major versions": this project knows 1.x.
    check: (c) => {
      const v = typeof c.ociVersion === 'string' ? parseSemVer(c.ociVersion) : undefined;
      return v && v.major !== 1
        ? [{ path: ['ociVersion'], message: `is ${c.ociVersion}, outside runtime-spec 1.x, the major version this checker knows` }]
        : [];
    },
  },
  {
    id: 'hostname.uts',
    spec: 'config.md#configHostname',
    requirement: 'config:hostname.applied',
    level: 'warning',
    affectsRun: true,
    // "Depending on your namespace configuration, the container UTS namespace may be the
    // runtime UTS namespace": without a uts namespace, setting the name changes the host's.
    check: (c, ctx) => {
      if (!ctx.linux || namespaces(c).has('uts')) return [];
      return (['hostname', 'domainname'] as const)
        .filter((k) => typeof c[k] === 'string')
        .map((k) => ({ path: [k], message: `is set but linux.namespaces has no uts namespace: it would change the host's ${k}` }));
    },
  },
  {
    id: 'hooks.prestart.deprecated',
    spec: 'config.md#configHooksPrestart',
    requirement: 'config:hooks.prestart.when',
    level: 'warning',
    // "prestart hooks were deprecated in favor of createRuntime, createContainer and startContainer hooks".
    check: (c) =>
      list(c.hooks?.prestart).length > 0
        ? [{ path: ['hooks', 'prestart'], message: 'is deprecated: use createRuntime, createContainer or startContainer' }]
        : [],
  },
  {
    id: 'annotations.key.nonempty',
    spec: 'config.md#configAnnotations',
    requirement: 'config:annotations.key-non-empty',
    level: 'error',
    // "Keys MUST NOT be an empty string."
    check: (c) => (entries(c.annotations).some(([k]) => k === '') ? [{ path: ['annotations', ''], message: 'an annotation key must not be empty' }] : []),
  },
  {
    id: 'annotations.key.reserved',
    spec: 'config.md#configAnnotations',
    requirement: 'config:annotations.reserved-namespace',
    level: 'warning',
    // "All other keys in the org.opencontainers namespace not specified in this above
    // table are reserved and MUST NOT be used by subsequent specifications": the MUST
    // binds specifications, and "Runtimes MUST handle unknown annotation keys like any
    // other unknown property". The image-spec's conversion rules do define more keys
    // (org.opencontainers.image.exposedPorts, …) that umoci writes, so a config that
    // has them is one a runtime must run: a warning, never an error.
    check: (c) =>
      entries(c.annotations)
        .filter(([k]) => (k === 'org.opencontainers' || k.startsWith('org.opencontainers.')) && !OCI_KEYS.has(k))
        .map(([k]) => ({
          path: ['annotations', k],
          message:
            'is in the org.opencontainers namespace but not among the keys config.md defines (image-spec conversion keys such as exposedPorts are not in its table)',
        })),
  },
  {
    id: 'annotations.key.reverse-domain',
    spec: 'config.md#configAnnotations',
    requirement: 'config:annotations.key-reverse-domain',
    level: 'warning',
    // "Keys SHOULD be named using a reverse domain notation - e.g. com.example.myKey."
    check: (c) =>
      entries(c.annotations)
        .filter(([k]) => k !== '' && !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\./.test(k))
        .map(([k]) => ({ path: ['annotations', k], message: 'should use reverse domain notation, e.g. com.example.myKey' })),
  },
  {
    id: 'annotations.image.created',
    spec: 'config.md#configAnnotations',
    requirement: 'config:annotations.image-created',
    level: 'error',
    // org.opencontainers.image.created "MUST have a valid value for the created property"
    // of the OCI image spec: an RFC 3339 date-time.
    check: (c) => {
      const created = c.annotations?.['org.opencontainers.image.created'];
      return typeof created === 'string' && !isDateTime(created)
        ? [{ path: ['annotations', 'org.opencontainers.image.created'], message: 'must be an RFC 3339 date-time' } satisfies Finding]
        : [];
    },
  },
];
