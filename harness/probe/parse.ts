// Turns the probe's raw sections (probe.sh) into typed facts. Pure: tested on
// recorded outputs in test/probe.test.ts.
import { RLIMITS } from '../../linux/rlimits.js';
import { parseMountinfo, type MountEntry } from './mountinfo.js';

export interface ProcStatus {
  fields: Record<string, string>;
  uid: number[];
  gid: number[];
  groups: number[];
  umask?: number;
  capInh: bigint;
  capPrm: bigint;
  capEff: bigint;
  capBnd: bigint;
  capAmb: bigint;
  noNewPrivs?: boolean;
  seccomp?: number;
  seccompFilters?: number;
}

/** A limit from /proc/PID/limits; 'unlimited' is RLIM_INFINITY. */
export type LimitValue = bigint | 'unlimited';

export interface DevEntry {
  path: string;
  type: 'c' | 'b' | 'd' | 'l' | 'p' | 's' | 'f';
  mode: number;
  major: number;
  minor: number;
  uid: number;
  gid: number;
  target?: string;
}

export interface IdMapLine {
  containerID: number;
  hostID: number;
  size: number;
}

export interface CmdResult {
  output: string;
  rc: number;
}

export interface ProbeFacts {
  /** The probe started (its first line is there). */
  started: boolean;
  /** The probe reached its end (or @@ready with --hold). */
  complete: boolean;
  ready: boolean;
  /** With --hold: the signal the trap caught, e.g. 'TERM'. */
  signal?: string;
  sections: Map<string, string>;
  pid?: number;
  args?: string[];
  env?: string[];
  status?: ProcStatus;
  limits?: Record<string, { soft: LimitValue; hard: LimitValue }>;
  cwd?: string;
  oomScoreAdj?: number;
  /** Namespace type → link text, e.g. `pid` → `pid:[4026531836]`. */
  ns?: Record<string, string>;
  hostname?: string;
  domainname?: string;
  uidMap?: IdMapLine[];
  gidMap?: IdMapLine[];
  setgroups?: string;
  /** Open fds of the process → what they point to. */
  fds?: Map<number, string>;
  cgroup?: string[];
  mounts?: MountEntry[];
  dev?: Map<string, DevEntry>;
  cmds: Record<string, CmdResult>;
}

const MARK = '@@';

/** Splits raw probe output into sections. Anything before the probe's banner (a runtime's own chatter) is ignored. */
export function splitSections(raw: string): {
  started: boolean;
  complete: boolean;
  ready: boolean;
  signal?: string;
  sections: Map<string, string>;
  rcs: Map<string, number>;
} {
  const lines = raw.split('\n');
  const start = lines.findIndex((l) => l.startsWith('@@conform-probe '));
  const sections = new Map<string, string>();
  const rcs = new Map<string, number>();
  let complete = false;
  let ready = false;
  let signal: string | undefined;
  if (start < 0) return { started: false, complete, ready, sections, rcs };
  let name: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (name !== undefined) {
      while (body.length && body[body.length - 1] === '') body.pop();
      sections.set(name, body.join('\n'));
    }
    name = undefined;
    body = [];
  };
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith(`${MARK}section `)) {
      flush();
      name = line.slice(`${MARK}section `.length);
    } else if (line.startsWith(`${MARK}rc `) && name) {
      rcs.set(name, Number(line.slice(`${MARK}rc `.length)));
      flush();
    } else if (line === `${MARK}done`) {
      flush();
      complete = true;
    } else if (line === `${MARK}ready`) {
      flush();
      complete = true;
      ready = true;
    } else if (line.startsWith(`${MARK}signal `)) {
      flush();
      signal = line.slice(`${MARK}signal `.length);
    } else if (name !== undefined) {
      body.push(line);
    }
  }
  flush();
  return { started: true, complete, ready, signal, sections, rcs };
}

/** `od -An -v -tx1` output → bytes. */
export function parseHexDump(text: string): Buffer {
  const bytes = text.split(/\s+/).filter((t) => /^[0-9a-f]{2}$/.test(t));
  return Buffer.from(bytes.join(''), 'hex');
}

/** NUL-separated strings (cmdline, environ); the trailing NUL ends the last one. */
export function splitNul(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const s = buf.toString('utf8');
  return (s.endsWith('\0') ? s.slice(0, -1) : s).split('\0');
}

export function parseStatus(text: string): ProcStatus {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  const nums = (s: string | undefined) => (s ? s.split(/\s+/).filter(Boolean).map(Number) : []);
  const cap = (k: string) => BigInt(`0x${fields[k] ?? '0'}`);
  const opt = (k: string) => (fields[k] === undefined ? undefined : Number(fields[k]));
  return {
    fields,
    uid: nums(fields.Uid),
    gid: nums(fields.Gid),
    groups: nums(fields.Groups),
    umask: fields.Umask === undefined ? undefined : parseInt(fields.Umask, 8),
    capInh: cap('CapInh'),
    capPrm: cap('CapPrm'),
    capEff: cap('CapEff'),
    capBnd: cap('CapBnd'),
    capAmb: cap('CapAmb'),
    noNewPrivs: fields.NoNewPrivs === undefined ? undefined : fields.NoNewPrivs === '1',
    seccomp: opt('Seccomp'),
    seccompFilters: opt('Seccomp_filters'),
  };
}

/** /proc/PID/limits → limits keyed by the config's names (RLIMIT_NOFILE…). */
export function parseLimits(text: string): Record<string, { soft: LimitValue; hard: LimitValue }> {
  const byProc = new Map(Object.entries(RLIMITS).map(([name, info]) => [info.procName, name]));
  const out: Record<string, { soft: LimitValue; hard: LimitValue }> = {};
  const value = (v: string): LimitValue => (v === 'unlimited' ? 'unlimited' : BigInt(v));
  for (const line of text.split('\n').slice(1)) {
    // Columns are fixed-width; the name is the text before the first run of 2+ spaces.
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const name = m && byProc.get(m[1]!.trim());
    if (m && name) out[name] = { soft: value(m[2]!), hard: value(m[3]!) };
  }
  return out;
}

export function parseIdMap(text: string): IdMapLine[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isFinite(n)))
    .map(([containerID, hostID, size]) => ({ containerID: containerID!, hostID: hostID!, size: size! }));
}

const TYPE_BITS: Record<number, DevEntry['type']> = { 0o020000: 'c', 0o060000: 'b', 0o040000: 'd', 0o120000: 'l', 0o010000: 'p', 0o140000: 's', 0o100000: 'f' };

/** `stat -c '%n|%f|%t|%T|%u|%g|%N'` lines. */
export function parseDev(text: string): Map<string, DevEntry> {
  const out = new Map<string, DevEntry>();
  for (const line of text.split('\n')) {
    const f = line.split('|');
    if (f.length < 7 || !f[0]!.startsWith('/')) continue;
    const raw = parseInt(f[1]!, 16);
    const arrow = / -> '(.*)'$/.exec(f.slice(6).join('|'));
    out.set(f[0]!, {
      path: f[0]!,
      type: TYPE_BITS[raw & 0o170000] ?? 'f',
      mode: raw & 0o7777,
      major: parseInt(f[2]!, 16),
      minor: parseInt(f[3]!, 16),
      uid: Number(f[4]),
      gid: Number(f[5]),
      target: arrow?.[1],
    });
  }
  return out;
}

/** `ls -l DIR/` of symbolic links (coreutils or busybox): link name → target. */
export function parseLinks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^l\S*\s.*?\s(\S+) -> (.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

export function parseProbe(raw: string): ProbeFacts {
  const { started, complete, ready, signal, sections, rcs } = splitSections(raw);
  const facts: ProbeFacts = { started, complete, ready, signal, sections, cmds: {} };
  const s = (k: string) => sections.get(k);
  const meta = s('meta');
  if (meta !== undefined) facts.pid = Number(/pid=(\d+)/.exec(meta)?.[1]);
  if (s('cmdline') !== undefined) facts.args = splitNul(parseHexDump(s('cmdline')!));
  if (s('environ') !== undefined) facts.env = splitNul(parseHexDump(s('environ')!));
  if (s('status') !== undefined) facts.status = parseStatus(s('status')!);
  if (s('limits') !== undefined) facts.limits = parseLimits(s('limits')!);
  if (s('cwd') !== undefined) facts.cwd = s('cwd')!.split('\n')[0];
  if (s('oom') !== undefined && /^-?\d+$/.test(s('oom')!.trim())) facts.oomScoreAdj = Number(s('oom')!.trim());
  if (s('ns') !== undefined) facts.ns = Object.fromEntries(parseLinks(s('ns')!));
  if (s('uts') !== undefined) {
    const kv = new Map(
      s('uts')!
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
    );
    facts.hostname = kv.get('hostname');
    facts.domainname = kv.get('domainname');
  }
  if (s('idmap') !== undefined) {
    const parts = new Map<string, string>();
    let cur = '';
    for (const line of s('idmap')!.split('\n')) {
      if (line.startsWith('# ')) cur = line.slice(2);
      else parts.set(cur, [parts.get(cur), line].filter((x) => x !== undefined).join('\n'));
    }
    facts.uidMap = parseIdMap(parts.get('uid_map') ?? '');
    facts.gidMap = parseIdMap(parts.get('gid_map') ?? '');
    facts.setgroups = parts.get('setgroups')?.trim();
  }
  if (s('fds') !== undefined) facts.fds = new Map([...parseLinks(s('fds')!)].filter(([k]) => /^\d+$/.test(k)).map(([k, v]) => [Number(k), v]));
  if (s('cgroup') !== undefined) facts.cgroup = s('cgroup')!.split('\n').filter(Boolean);
  if (s('mountinfo') !== undefined) facts.mounts = parseMountinfo(s('mountinfo')!);
  if (s('dev') !== undefined) facts.dev = parseDev(s('dev')!);
  for (const [name, body] of sections) {
    if (name.startsWith('cmd:')) facts.cmds[name.slice(4)] = { output: body, rc: rcs.get(name) ?? -1 };
  }
  return facts;
}
