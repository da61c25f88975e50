// Lays out the BPF program for rules already resolved to syscall numbers (compile.ts):
//   ld arch; jeq AUDIT_ARCH_X86_64 → section 64; [jeq AUDIT_ARCH_I386 → section 32]; ret KILL_THREAD
//   section: ld nr; [x32 guard]; for each syscall: jeq nr → its rules; ret default
//   rules of a syscall: for each rule, its argument checks then `ret action`; a failed
//   check falls to the next rule; when none matched: ret default.
import { Program, type Label, type SockFilter } from './bpf.js';
import { AUDIT_ARCH_X86_64, SECCOMP_DATA, SECCOMP_RET, X32_SYSCALL_BIT, type Operator } from './constants.js';

export interface Cond {
  index: number;
  op: Operator;
  value: bigint;
  valueTwo: bigint;
}

export interface Rule {
  conds: Cond[];
  ret: number;
}

export interface SyscallEntry {
  bits: 32 | 64;
  rules: Rule[];
}

/** audit arch → syscall nr → rules, in the order the program tests them. */
export function emitProgram(sections: Map<number, Map<number, SyscallEntry>>, x32Listed: boolean, defaultRet: number): SockFilter[] {
  const p = new Program();
  const sectionLabels = [...sections.keys()].map((audit) => ({ audit, label: p.label(`arch_${audit.toString(16)}`) }));
  p.ld(SECCOMP_DATA.arch);
  for (const { audit, label } of sectionLabels) {
    const next = p.label();
    p.jump('jeq', audit, label, next);
    p.bind(next);
  }
  p.ret(SECCOMP_RET.KILL_THREAD);

  for (const { audit, label } of sectionLabels) {
    p.bind(label);
    p.ld(SECCOMP_DATA.nr);
    if (audit === AUDIT_ARCH_X86_64 && !x32Listed) emitX32Guard(p);
    emitSection(p, sections.get(audit)!, defaultRet);
  }
  return p.assemble();
}

/** x32 calls (nr with bit 30) are a bad arch unless SCMP_ARCH_X32 is listed; nr -1 passes. */
function emitX32Guard(p: Program): void {
  const x32 = p.label();
  const table = p.label();
  const bad = p.label();
  p.jump('jge', X32_SYSCALL_BIT, x32, table);
  p.bind(x32);
  p.jump('jeq', 0xffffffff, table, bad);
  p.bind(bad);
  p.ret(SECCOMP_RET.KILL_THREAD);
  p.bind(table);
}

function emitSection(p: Program, entries: Map<number, SyscallEntry>, defaultRet: number): void {
  // Syscalls whose first rule is unconditional jump to one shared `ret` per action.
  const shared = new Map<number, Label>();
  const sharedRet = (ret: number): Label => {
    let l = shared.get(ret);
    if (!l) shared.set(ret, (l = p.label(`ret_${ret.toString(16)}`)));
    return l;
  };
  for (const [nr, entry] of entries) {
    const next = p.label();
    const first = entry.rules[0]!;
    if (first.conds.length === 0) {
      p.jump('jeq', nr, sharedRet(first.ret), next);
      p.bind(next);
      continue;
    }
    const body = p.label();
    p.jump('jeq', nr, body, next);
    p.bind(body);
    emitRules(p, entry, defaultRet);
    p.bind(next);
  }
  p.ret(defaultRet);
  for (const [ret, label] of shared) {
    p.bind(label);
    p.ret(ret);
  }
}

function emitRules(p: Program, entry: SyscallEntry, defaultRet: number): void {
  for (const rule of entry.rules) {
    if (rule.conds.length === 0) {
      // First match wins: nothing after an unconditional rule can be reached.
      p.ret(rule.ret);
      return;
    }
    const nextRule = p.label();
    for (const c of rule.conds) {
      const pass = p.label();
      emitCond(p, c, entry.bits, pass, nextRule);
      p.bind(pass);
    }
    p.ret(rule.ret);
    p.bind(nextRule);
  }
  p.ret(defaultRet);
}

const lo = (x: bigint): number => Number(x & 0xffffffffn);
const hi = (x: bigint): number => Number((x >> 32n) & 0xffffffffn);

/** Emits a check of one argument that jumps to `fail` or ends up at `pass`, bound by the caller right after. */
function emitCond(p: Program, c: Cond, bits: 32 | 64, pass: Label, fail: Label): void {
  const offLo = SECCOMP_DATA.argLo(c.index);
  const offHi = SECCOMP_DATA.argHi(c.index);
  const wide = bits === 64;
  const v = c.value;
  switch (c.op) {
    case 'SCMP_CMP_EQ':
    case 'SCMP_CMP_NE': {
      const [t, f] = c.op === 'SCMP_CMP_EQ' ? [pass, fail] : [fail, pass];
      if (wide) {
        const l = p.label();
        p.ld(offHi);
        p.jump('jeq', hi(v), l, f);
        p.bind(l);
      }
      p.ld(offLo);
      p.jump('jeq', lo(v), t, f);
      return;
    }
    case 'SCMP_CMP_MASKED_EQ': {
      const mask = v;
      const datum = c.valueTwo & mask;
      // A zero mask word compares nothing: libseccomp leaves it out too.
      if (wide && hi(mask) !== 0) {
        const l = p.label();
        p.ld(offHi);
        if (hi(mask) !== 0xffffffff) p.and(hi(mask));
        p.jump('jeq', hi(datum), l, fail);
        p.bind(l);
      }
      if (lo(mask) !== 0) {
        p.ld(offLo);
        if (lo(mask) !== 0xffffffff) p.and(lo(mask));
        p.jump('jeq', lo(datum), pass, fail);
      }
      return;
    }
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE': {
      if (wide) {
        const eq = p.label();
        const low = p.label();
        p.ld(offHi);
        p.jump('jgt', hi(v), pass, eq);
        p.bind(eq);
        p.jump('jeq', hi(v), low, fail);
        p.bind(low);
      }
      p.ld(offLo);
      p.jump(c.op === 'SCMP_CMP_GT' ? 'jgt' : 'jge', lo(v), pass, fail);
      return;
    }
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE': {
      if (wide) {
        const eq = p.label();
        const low = p.label();
        p.ld(offHi);
        p.jump('jgt', hi(v), fail, eq);
        p.bind(eq);
        p.jump('jeq', hi(v), low, pass);
        p.bind(low);
      }
      p.ld(offLo);
      // a < v  ⇔  !(a >= v);  a <= v  ⇔  !(a > v)
      p.jump(c.op === 'SCMP_CMP_LT' ? 'jge' : 'jgt', lo(v), fail, pass);
      return;
    }
  }
}
