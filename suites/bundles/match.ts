// The probe's facts held against a config.json that a real tool wrote: what the process
// is (args, env, cwd, user, umask, capabilities, no_new_privs, seccomp mode, rlimits) and
// where it is (namespaces, hostname, mounts). Each check says which config field it is.
import { readlinkSync } from 'node:fs';
import type { Config } from '../../schemas/config.js';
import type { CaseContext } from '../../harness/context.js';
import { NAMESPACE_KINDS, NS_FILE, type NamespaceKind } from '../../harness/hostfacts.js';
import { mountAt } from '../../harness/probe/mountinfo.js';
import type { ProbeFacts } from '../../harness/probe/parse.js';
import { capMask, capNames } from '../../linux/capabilities.js';

/** Config paths the matcher checks, for a case's `exercises` (each one, removed, must make it fail). */
export const MATCHED = ['process.env', 'process.cwd', 'process.user', 'process.capabilities', 'linux.namespaces', 'mounts'];

/** Mount types whose filesystem type shows in mountinfo as the same name. */
const PLAIN_FS = new Set(['proc', 'sysfs', 'tmpfs', 'devpts', 'mqueue']);

export function matchFacts(t: CaseContext, config: Config, facts: ProbeFacts): void {
  if (!facts.complete) t.fail('the probe did not finish: its facts are incomplete');
  const p = config.process!;

  t.equal(facts.args, p.args, 'process.args: the command line of the process');

  const env = facts.env ?? [];
  const missing = (p.env ?? []).filter((e) => !env.includes(e));
  t.ok(missing.length === 0, `process.env: missing from the process's environment: ${missing.join(', ')}`, { expected: p.env, actual: env });
  const extra = env.filter((e) => !(p.env ?? []).includes(e));
  if (extra.length) t.note(`the process's environment also has ${extra.join(', ')} (not in process.env)`);

  t.equal(facts.cwd, p.cwd, 'process.cwd: the working directory');

  const st = facts.status;
  if (!st) t.fail("the probe's status section is missing");
  const { uid, gid, additionalGids, umask } = p.user ?? { uid: 0, gid: 0 };
  t.equal(st.uid, [uid, uid, uid, uid], 'process.user.uid: real, effective, saved and filesystem uid');
  t.equal(st.gid, [gid, gid, gid, gid], 'process.user.gid: real, effective, saved and filesystem gid');
  const lacking = (additionalGids ?? []).filter((g) => !st.groups.includes(g));
  t.ok(lacking.length === 0, `process.user.additionalGids: not among the process's groups: ${lacking.join(', ')}`, { expected: additionalGids, actual: st.groups });
  // A status without the line (gVisor's, kernels before 4.7) shows nothing to hold it against.
  if (umask !== undefined && st.umask === undefined) t.note('process.user.umask not checked: the process\'s /proc/PID/status has no Umask line');
  else if (umask !== undefined) t.equal(st.umask, umask, 'process.user.umask');

  const caps = p.capabilities ?? {};
  const sets = { bounding: st.capBnd, effective: st.capEff, permitted: st.capPrm, inheritable: st.capInh, ambient: st.capAmb } as const;
  for (const [set, have] of Object.entries(sets) as [keyof typeof sets, bigint][]) {
    const want = caps[set];
    if (want === undefined) continue;
    t.equal(capNames(have), capNames(capMask(want)), `process.capabilities.${set}`);
  }
  if (p.noNewPrivileges && st.noNewPrivs === undefined) t.note('process.noNewPrivileges not checked: the process\'s /proc/PID/status has no NoNewPrivs line');
  else if (p.noNewPrivileges) t.equal(st.noNewPrivs, true, 'process.noNewPrivileges: the no_new_privs bit');
  if (config.linux?.seccomp) t.equal(st.seccomp, 2, 'linux.seccomp: the process runs under a seccomp filter (Seccomp: 2)');

  for (const r of p.rlimits ?? []) {
    t.equal(facts.limits?.[r.type], { soft: BigInt(r.soft), hard: BigInt(r.hard) }, `process.rlimits ${r.type}`);
  }

  matchNamespaces(t, config, facts);
  if (config.hostname !== undefined && config.linux?.namespaces?.some((n) => n.type === 'uts')) t.equal(facts.hostname, config.hostname, 'hostname');

  const mounts = facts.mounts ?? [];
  for (const m of config.mounts ?? []) {
    const seen = mountAt(mounts, m.destination);
    if (!t.ok(seen !== undefined, `mounts: nothing is mounted at ${m.destination}`, { expected: m, actual: mounts.map((x) => x.mountPoint) })) continue;
    // A cgroup mount on a v1 host is a tmpfs holding one mount per hierarchy, laid out as
    // the runtime chooses (runc leaves the tmpfs itself writable): only its presence is checked.
    if (m.type === 'cgroup') continue;
    if (m.type && PLAIN_FS.has(m.type)) t.equal(seen!.fsType, m.type, `mounts: the filesystem type at ${m.destination}`);
    if (m.options?.includes('ro')) t.ok(seen!.options.includes('ro'), `mounts: ${m.destination} is not read-only (options ${seen!.options.join(',')})`);
  }
}

/** Each namespace type: new when listed without a path, the path's when joined, the runtime's own when not listed. */
function matchNamespaces(t: CaseContext, config: Config, facts: ProbeFacts): void {
  const listed = new Map((config.linux?.namespaces ?? []).map((n) => [n.type as NamespaceKind, n.path]));
  for (const kind of NAMESPACE_KINDS) {
    const host = t.env.host.hostNs[kind];
    const mine = facts.ns?.[NS_FILE[kind]];
    if (host === undefined || mine === undefined) continue; // the kernel lacks it
    if (!listed.has(kind)) t.equal(mine, host, `linux.namespaces: no ${kind} entry, so the runtime's own ${kind} namespace`);
    else if (listed.get(kind)) t.equal(mine, readlinkSync(listed.get(kind)!), `linux.namespaces: the ${kind} namespace at ${listed.get(kind)}`);
    else t.ok(mine !== host, `linux.namespaces: a new ${kind} namespace, but the process is in the runtime's own (${host})`);
  }
}
