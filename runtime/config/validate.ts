// The spec's rules on config.json that the runtime relies on, each error naming the
// field (`config.json: process.cwd must be an absolute path`). The JSON Schema check
// (schemas/validate.ts) runs first when available; these rules are the runtime's own
// guarantee, so they also cover a schema that lags behind.
import { RLIMITS } from '../../linux/rlimits.js';
import { describeJson } from '../../schemas/config-file.js';
import { sysctlFile } from './host-safety.js';
import { ConfigError, RuntimeError } from '../errors.js';
import { OCI_VERSION, OCI_VERSION_MIN } from '../state/store.js';
import type { Config as SchemaConfig, Process as SchemaProcess, Rlimit as SchemaRlimit, User } from '../../schemas/config.js';
import { HOOK_NAMES, NAMESPACE_TYPES } from '../../schemas/enums.js';

/** An rlimit with the digits of soft and hard as config.json wrote them, when a double cannot hold them (./rlimits.ts). */
export type Rlimit = SchemaRlimit & { exact?: { soft?: string; hard?: string } };
/** `process` as checkConfig returns it: the schema's, with `user` (required on Linux) there. */
export type Process = Omit<SchemaProcess, 'user' | 'rlimits'> & { user: User; rlimits?: Rlimit[] };
/** config.json as checkConfig returns it: the schema's type (schemas/config.ts), with what the checks below add. */
export type Config = Omit<SchemaConfig, 'process'> & { process?: Process };

type Json = unknown;

const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrArray = (v: Json): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isUint = (v: Json, max = Number.MAX_SAFE_INTEGER): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

/**
 * A Linux user or group ID: uint32 without 4294967295, which is (uid_t)-1, the "no
 * change" of setresuid(2) and the kernel's invalid ID: passed on, it would leave the
 * process as root. (runc refuses everything above 2147483647.)
 */
export const MAX_ID = 0xfffffffe;
export const isLinuxId = (v: unknown): v is number => isUint(v, MAX_ID);
/** Linux device numbers: 12 bits of major, 20 of minor. */
const MAX_MAJOR = 0xfff;
const MAX_MINOR = 0xfffff;
/** HOST_NAME_MAX: sethostname(2) and setdomainname(2) refuse longer names. */
const HOST_NAME_MAX = 64;

function need(cond: boolean, field: string, problem: string): asserts cond {
  if (!cond) throw new ConfigError(field, problem);
}

/** Throws ConfigError on the first broken rule; returns the config typed. */
export function checkConfig(raw: Json, opts: { requireProcess: boolean }): Config {
  if (!isObj(raw)) throw new RuntimeError(`config.json: must be a JSON object, not ${describeJson(raw)}`);
  need(typeof raw.ociVersion === 'string', 'ociVersion', 'must be a string');
  checkVersion(raw.ociVersion);

  need(isObj(raw.root), 'root', 'is required on Linux');
  need(typeof raw.root.path === 'string' && raw.root.path !== '', 'root.path', 'must be a non-empty string');
  need(raw.root.readonly === undefined || typeof raw.root.readonly === 'boolean', 'root.readonly', 'must be a boolean');

  checkMounts(raw.mounts);
  if (raw.process !== undefined) checkProcess(raw.process);
  else need(!opts.requireProcess, 'process', 'is required to run the container');
  for (const key of ['hostname', 'domainname'] as const) {
    need(raw[key] === undefined || typeof raw[key] === 'string', key, 'must be a string');
    need(raw[key] === undefined || Buffer.byteLength(raw[key] as string) <= HOST_NAME_MAX, key, `must be at most ${HOST_NAME_MAX} bytes (HOST_NAME_MAX)`);
  }
  checkHooks(raw.hooks);
  if (raw.annotations !== undefined) {
    need(isObj(raw.annotations), 'annotations', 'must be an object');
    for (const [k, v] of Object.entries(raw.annotations)) {
      need(k !== '', 'annotations', 'keys must not be empty');
      need(typeof v === 'string', `annotations.${k}`, 'must be a string');
    }
  }
  if (raw.linux !== undefined) checkLinux(raw.linux);
  if (raw.process !== undefined) checkMapped(raw as unknown as Config);
  return raw as unknown as Config;
}

/**
 * The versions `features` reports (ociVersionMin..ociVersionMax) and their patch
 * releases: config.md says a config made for a later minor release is not compatible
 * with a runtime that does not support it.
 */
function checkVersion(v: string): void {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  need(m !== null, 'ociVersion', `must be a SemVer 2.0.0 version such as ${OCI_VERSION} (got ${JSON.stringify(v)})`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const [maxMajor, maxMinor] = OCI_VERSION.split('.').map(Number) as [number, number];
  const below = major < 1 || (major === 1 && minor === 0 && Number(m[3]) === 0 && m[4] !== undefined);
  const above = major > maxMajor || (major === maxMajor && minor > maxMinor);
  need(!below && !above, 'ociVersion', `${v} is not supported by this runtime (${OCI_VERSION_MIN} to ${OCI_VERSION} and its patch releases)`);
}

function checkMounts(mounts: Json): void {
  if (mounts === undefined) return;
  need(Array.isArray(mounts), 'mounts', 'must be an array');
  mounts.forEach((m: Json, i: number) => {
    const f = `mounts[${i}]`;
    need(isObj(m), f, 'must be an object');
    need(typeof m.destination === 'string' && m.destination !== '', `${f}.destination`, 'must be a non-empty string');
    need(m.source === undefined || typeof m.source === 'string', `${f}.source`, 'must be a string');
    need(m.type === undefined || typeof m.type === 'string', `${f}.type`, 'must be a string');
    need(m.options === undefined || isStrArray(m.options), `${f}.options`, 'must be an array of strings');
    need((m.uidMappings === undefined) === (m.gidMappings === undefined), f, 'must have both uidMappings and gidMappings, or neither');
  });
}

function checkProcess(p: Json): void {
  need(isObj(p), 'process', 'must be an object');
  need(typeof p.cwd === 'string', 'process.cwd', 'is required (a string)');
  need(p.cwd.startsWith('/'), 'process.cwd', 'must be an absolute path');
  need(isStrArray(p.args) && p.args.length > 0, 'process.args', 'must be a non-empty array of strings');
  need(p.args[0] !== '', 'process.args[0]', 'must not be empty');
  need(p.env === undefined || isStrArray(p.env), 'process.env', 'must be an array of strings');
  checkEnv(p.env, 'process.env');
  need(p.terminal === undefined || typeof p.terminal === 'boolean', 'process.terminal', 'must be a boolean');
  need(isObj(p.user), 'process.user', 'is required (uid and gid)');
  for (const key of ['uid', 'gid'] as const) {
    need(isUint(p.user[key], 2 ** 32 - 1), `process.user.${key}`, 'must be a uint32');
    need(isLinuxId(p.user[key]), `process.user.${key}`, `must be from 0 to ${MAX_ID}: 4294967295 is (uid_t)-1, which setresuid(2) takes as "no change"`);
  }
  need(
    p.user.umask === undefined || isUint(p.user.umask, 0o777),
    'process.user.umask',
    'must be an integer from 0 to 511 (0777): umask(2) keeps no other bits',
  );
  need(
    p.user.additionalGids === undefined || (Array.isArray(p.user.additionalGids) && p.user.additionalGids.every((g) => isUint(g, 2 ** 32 - 1))),
    'process.user.additionalGids',
    'must be an array of uint32',
  );
  (p.user.additionalGids ?? []).forEach((g, i) =>
    need(isLinuxId(g), `process.user.additionalGids[${i}]`, `must be from 0 to ${MAX_ID}: 4294967295 is (gid_t)-1`),
  );
  need(p.noNewPrivileges === undefined || typeof p.noNewPrivileges === 'boolean', 'process.noNewPrivileges', 'must be a boolean');
  need(
    p.oomScoreAdj === undefined || (Number.isInteger(p.oomScoreAdj) && Math.abs(p.oomScoreAdj as number) <= 1000),
    'process.oomScoreAdj',
    'must be an integer from -1000 to 1000',
  );
  if (p.rlimits !== undefined) {
    need(Array.isArray(p.rlimits), 'process.rlimits', 'must be an array');
    const seen = new Set<string>();
    p.rlimits.forEach((r: Json, i: number) => {
      const f = `process.rlimits[${i}]`;
      need(isObj(r) && typeof r.type === 'string', `${f}.type`, 'is required');
      need(RLIMITS[r.type] !== undefined, `${f}.type`, `${r.type} is not a Linux resource limit`);
      need(!seen.has(r.type), `${f}.type`, `${r.type} is given twice`);
      seen.add(r.type);
      need(isUint(r.soft, Number.MAX_VALUE) && isUint(r.hard, Number.MAX_VALUE), f, 'soft and hard must be uint64');
      need((r.soft as number) <= (r.hard as number), f, `soft (${r.soft}) must not exceed hard (${r.hard})`);
    });
  }
  if (p.capabilities !== undefined) {
    need(isObj(p.capabilities), 'process.capabilities', 'must be an object');
    // Only the sets the spec defines: an unknown property is ignored (config.md Extensibility).
    for (const set of ['bounding', 'effective', 'inheritable', 'permitted', 'ambient']) {
      const v = p.capabilities[set];
      need(v === undefined || isStrArray(v), `process.capabilities.${set}`, 'must be an array of strings');
    }
  }
}

/** environ(7): NAME=value, the name not empty; a NUL cannot be passed to execve(2). runc refuses the same. */
function checkEnv(env: readonly string[] | undefined, field: string): void {
  (env ?? []).forEach((e, i) => {
    need(e.includes('='), `${field}[${i}]`, `${JSON.stringify(e.slice(0, 40))} must be NAME=value`);
    need(!e.startsWith('='), `${field}[${i}]`, 'must have a name before "="');
    need(!e.includes('\0'), `${field}[${i}]`, 'must not contain a NUL byte');
  });
}

/**
 * In a new user namespace the process's IDs must be mapped (setresuid fails with EINVAL
 * otherwise), as runc checks; a joined one is checked by the kernel in the init.
 */
function checkMapped(c: Config): void {
  const user = c.linux?.namespaces?.find((n) => n.type === 'user');
  // Without mappings at all, planNamespaces says that they are missing.
  if (!user || user.path || !c.linux?.uidMappings?.length || !c.linux.gidMappings?.length) return;
  const mapped = (maps: readonly { containerID: number; size: number }[] | undefined, id: number): boolean =>
    (maps ?? []).some((m) => id >= m.containerID && id < m.containerID + m.size);
  const u = c.process!.user;
  need(mapped(c.linux?.uidMappings, u.uid), 'process.user.uid', `${u.uid} is not mapped in the container's user namespace (linux.uidMappings)`);
  need(mapped(c.linux?.gidMappings, u.gid), 'process.user.gid', `${u.gid} is not mapped in the container's user namespace (linux.gidMappings)`);
  (u.additionalGids ?? []).forEach((g, i) =>
    need(mapped(c.linux?.gidMappings, g), `process.user.additionalGids[${i}]`, `${g} is not mapped in the container's user namespace (linux.gidMappings)`),
  );
}

function checkHooks(hooks: Json): void {
  if (hooks === undefined) return;
  need(isObj(hooks), 'hooks', 'must be an object');
  for (const name of HOOK_NAMES) {
    const list = hooks[name];
    if (list === undefined) continue;
    need(Array.isArray(list), `hooks.${name}`, 'must be an array');
    list.forEach((h: Json, i: number) => {
      const f = `hooks.${name}[${i}]`;
      need(isObj(h) && typeof h.path === 'string', `${f}.path`, 'is required (a string)');
      need(h.path.startsWith('/'), `${f}.path`, 'must be an absolute path');
      need(h.args === undefined || isStrArray(h.args), `${f}.args`, 'must be an array of strings');
      need(h.env === undefined || isStrArray(h.env), `${f}.env`, 'must be an array of strings');
      checkEnv(h.env, `${f}.env`);
      need(h.timeout === undefined || (Number.isInteger(h.timeout) && (h.timeout as number) > 0), `${f}.timeout`, 'must be an integer greater than zero');
    });
  }
}

function checkLinux(linux: Json): void {
  need(isObj(linux), 'linux', 'must be an object');
  if (linux.namespaces !== undefined) {
    need(Array.isArray(linux.namespaces), 'linux.namespaces', 'must be an array');
    const seen = new Set<string>();
    linux.namespaces.forEach((ns: Json, i: number) => {
      const f = `linux.namespaces[${i}]`;
      need(isObj(ns) && typeof ns.type === 'string', `${f}.type`, 'is required (a string)');
      need(
        (NAMESPACE_TYPES as readonly string[]).includes(ns.type),
        `${f}.type`,
        `${JSON.stringify(ns.type)} is not a namespace type (${NAMESPACE_TYPES.join(', ')})`,
      );
      need(!seen.has(ns.type), `${f}.type`, `${ns.type} is given twice`);
      seen.add(ns.type);
      need(ns.path === undefined || (typeof ns.path === 'string' && ns.path.startsWith('/')), `${f}.path`, 'must be an absolute path');
    });
  }
  const userNs = Array.isArray(linux.namespaces) && linux.namespaces.some((n) => isObj(n) && n.type === 'user');
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    const maps = linux[key];
    if (maps === undefined) continue;
    need(Array.isArray(maps), `linux.${key}`, 'must be an array');
    maps.forEach((m: Json, i: number) => {
      need(
        isObj(m) && isUint(m.containerID, 2 ** 32 - 1) && isUint(m.hostID, 2 ** 32 - 1) && isUint(m.size, 2 ** 32 - 1),
        `linux.${key}[${i}]`,
        'needs containerID, hostID and size (uint32)',
      );
    });
    need(userNs || maps.length === 0, `linux.${key}`, 'needs a user namespace in linux.namespaces');
  }
  if (linux.devices !== undefined) {
    need(Array.isArray(linux.devices), 'linux.devices', 'must be an array');
    linux.devices.forEach((d: Json, i: number) => {
      const f = `linux.devices[${i}]`;
      need(isObj(d), f, 'must be an object');
      need(typeof d.path === 'string' && d.path.startsWith('/'), `${f}.path`, 'must be an absolute path');
      need(['c', 'b', 'u', 'p'].includes(d.type as string), `${f}.type`, 'must be one of c, b, u, p');
      if (d.type !== 'p') {
        need(Number.isInteger(d.major) && Number.isInteger(d.minor), f, 'needs major and minor');
        need(
          isUint(d.major, MAX_MAJOR) && isUint(d.minor, MAX_MINOR),
          f,
          `major must be from 0 to ${MAX_MAJOR} and minor from 0 to ${MAX_MINOR} (Linux device numbers)`,
        );
      }
    });
  }
  if (linux.sysctl !== undefined) {
    need(isObj(linux.sysctl), 'linux.sysctl', 'must be an object');
    for (const [k, v] of Object.entries(linux.sysctl)) {
      need(typeof v === 'string', `linux.sysctl.${k}`, 'must be a string');
      need(sysctlFile(k) !== undefined, `linux.sysctl.${k}`, 'is not a sysctl name (dot- or slash-separated names under /proc/sys)');
    }
  }
  for (const key of ['maskedPaths', 'readonlyPaths'] as const) {
    const v = linux[key];
    if (v === undefined) continue;
    need(isStrArray(v), `linux.${key}`, 'must be an array of strings');
    v.forEach((p, i) => need(p.startsWith('/'), `linux.${key}[${i}]`, 'must be an absolute path'));
  }
  if (linux.rootfsPropagation !== undefined) {
    need(
      ['shared', 'slave', 'private', 'unbindable'].includes(linux.rootfsPropagation as string),
      'linux.rootfsPropagation',
      'must be shared, slave, private or unbindable',
    );
  }
  if (linux.timeOffsets !== undefined) {
    need(isObj(linux.timeOffsets), 'linux.timeOffsets', 'must be an object');
    for (const [clock, v] of Object.entries(linux.timeOffsets)) {
      need(clock === 'monotonic' || clock === 'boottime', `linux.timeOffsets.${clock}`, 'is not a clock with an offset (monotonic, boottime)');
      need(isObj(v), `linux.timeOffsets.${clock}`, 'must be an object');
      need(v.secs === undefined || Number.isInteger(v.secs), `linux.timeOffsets.${clock}.secs`, 'must be an integer');
      need(
        v.nanosecs === undefined || isUint(v.nanosecs, 999_999_999),
        `linux.timeOffsets.${clock}.nanosecs`,
        'must be an integer from 0 to 999999999 (below one second)',
      );
    }
  }
}
