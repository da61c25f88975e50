// The probe's facts held against a config.json that a real tool wrote: what the process
// is (args, env, cwd, user, umask, capabilities, no_new_privs, seccomp mode, rlimits) and
// where it is (namespaces, hostname, mounts). Each check says which config field it is.
import { readlinkSync } from 'node:fs';
import type { Config } from '../../schemas/config.js';
import type { CaseContext } from '../../harness/case/context.js';
import { NAMESPACE_KINDS, NS_FILE, type NamespaceKind } from '../../harness/host/hostfacts.js';
import { mountAt } from '../../harness/probe/mountinfo.js';
import type { ProbeFacts } from '../../harness/probe/parse.js';
import { capMask, capNames } from '../../linux/capabilities.js';

/** Config paths the matcher checks, for a case's `exercises` (each one, removed, must make it fail). */
export const MATCHED = ['process.env', 'process.cwd', 'process.user', 'process.capabilities', 'linux.namespaces', 'mounts'];

/** Mount types whose filesystem type shows in mountinfo as the same name. */
const PLAIN_FS = new Set(['proc', 'sysfs', 'tmpfs', 'devpts', 'mqueue']);

/**
 * `t` about the requirements of one config field the case cites, or, where it cites none of
 * them, about runtime:create.apply-config ("All of the properties configured in config.json
 * except for process MUST be applied"), which every bundles case cites.
 */
function about(t: CaseContext, ...ids: string[]): CaseContext {
  const [first, ...rest] = ids.filter((id) => t.requirements.includes(id));
  return first ? t.req(first, ...rest) : t.req('runtime:create.apply-config');
}

export function matchFacts(t: CaseContext, config: Config, facts: ProbeFacts): void {
  if (!facts.complete) t.abort('the probe did not finish: its facts are incomplete');
  const p = config.process!;

  about(t, 'config:process.args').equal(facts.args, p.args, 'process.args: the command line of the process');

  const env = facts.env ?? [];
  const missing = (p.env ?? []).filter((e) => !env.includes(e));
  about(t, 'config:process.env').ok(missing.length === 0, `process.env: missing from the process's environment: ${missing.join(', ')}`, {
    expected: p.env,
    actual: env,
  });
  const extra = env.filter((e) => !(p.env ?? []).includes(e));
  if (extra.length) t.note(`the process's environment also has ${extra.join(', ')} (not in process.env)`);

  about(t, 'config:process.cwd').equal(facts.cwd, p.cwd, 'process.cwd: the working directory');

  const st = facts.status;
  if (!st) t.abort("the probe's status section is missing");
  const { uid, gid, additionalGids, umask } = p.user ?? { uid: 0, gid: 0 };
  about(t, 'config:process.user.uid').equal(st.uid, [uid, uid, uid, uid], 'process.user.uid: real, effective, saved and filesystem uid');
  about(t, 'config:process.user.gid').equal(st.gid, [gid, gid, gid, gid], 'process.user.gid: real, effective, saved and filesystem gid');
  const lacking = (additionalGids ?? []).filter((g) => !st.groups.includes(g));
  about(t, 'config:process.user.additional-gids').ok(
    lacking.length === 0,
    `process.user.additionalGids: not among the process's groups: ${lacking.join(', ')}`,
    { expected: additionalGids, actual: st.groups },
  );
  // A status without the line (gVisor's, kernels before 4.7) shows nothing to hold it against.
  if (umask !== undefined && st.umask === undefined) t.note("process.user.umask not checked: the process's /proc/PID/status has no Umask line");
  else if (umask !== undefined) about(t, 'config:process.user.umask').equal(st.umask, umask, 'process.user.umask');

  const caps = p.capabilities ?? {};
  const sets = { bounding: st.capBnd, effective: st.capEff, permitted: st.capPrm, inheritable: st.capInh, ambient: st.capAmb } as const;
  for (const [set, have] of Object.entries(sets) as [keyof typeof sets, bigint][]) {
    const want = caps[set];
    if (want === undefined) continue;
    about(t, `config:process.capabilities.${set}`).equal(capNames(have), capNames(capMask(want)), `process.capabilities.${set}`);
  }
  if (p.noNewPrivileges && st.noNewPrivs === undefined) t.note("process.noNewPrivileges not checked: the process's /proc/PID/status has no NoNewPrivs line");
  else if (p.noNewPrivileges) about(t, 'config:process.no-new-privileges').equal(st.noNewPrivs, true, 'process.noNewPrivileges: the no_new_privs bit');
  if (config.linux?.seccomp)
    about(t, 'config-linux:seccomp.default-action').equal(st.seccomp, 2, 'linux.seccomp: the process runs under a seccomp filter (Seccomp: 2)');

  for (const r of p.rlimits ?? []) {
    about(t, 'config:process.rlimits.soft', 'config:process.rlimits.hard').equal(
      facts.limits?.[r.type],
      { soft: BigInt(r.soft), hard: BigInt(r.hard) },
      `process.rlimits ${r.type}`,
    );
  }

  matchNamespaces(t, config, facts);
  if (config.hostname !== undefined && config.linux?.namespaces?.some((n) => n.type === 'uts'))
    about(t, 'config:hostname.applied').equal(facts.hostname, config.hostname, 'hostname');

  const mounts = facts.mounts ?? [];
  for (const m of config.mounts ?? []) {
    const seen = mountAt(mounts, m.destination);
    if (!about(t).ok(seen !== undefined, `mounts: nothing is mounted at ${m.destination}`, { expected: m, actual: mounts.map((x) => x.mountPoint) })) continue;
    // A cgroup mount on a v1 host is a tmpfs holding one mount per hierarchy, laid out as
    // the runtime chooses (runc leaves the tmpfs itself writable): only its presence is checked.
    if (m.type === 'cgroup') continue;
    if (m.type && PLAIN_FS.has(m.type)) about(t, 'config:mounts.type').equal(seen!.fsType, m.type, `mounts: the filesystem type at ${m.destination}`);
    if (m.options?.includes('ro'))
      about(t, 'config:mounts.option.ro').ok(seen!.options.includes('ro'), `mounts: ${m.destination} is not read-only (options ${seen!.options.join(',')})`);
  }
}

/** Each namespace type: new when listed without a path, the path's when joined, the runtime's own when not listed. */
function matchNamespaces(t: CaseContext, config: Config, facts: ProbeFacts): void {
  const listed = new Map((config.linux?.namespaces ?? []).map((n) => [n.type as NamespaceKind, n.path]));
  for (const kind of NAMESPACE_KINDS) {
    const host = t.env.host.hostNs[kind];
    const mine = facts.ns?.[NS_FILE[kind]];
    if (host === undefined || mine === undefined) continue; // the kernel lacks it
    if (!listed.has(kind))
      about(t, 'config-linux:namespaces.inherit').equal(mine, host, `linux.namespaces: no ${kind} entry, so the runtime's own ${kind} namespace`);
    else if (listed.get(kind))
      about(t, 'config-linux:namespaces.path-join').equal(
        mine,
        readlinkSync(listed.get(kind)!),
        `linux.namespaces: the ${kind} namespace at ${listed.get(kind)}`,
      );
    else
      about(t, 'config-linux:namespaces.new').ok(mine !== host, `linux.namespaces: a new ${kind} namespace, but the process is in the runtime's own (${host})`);
  }
}
