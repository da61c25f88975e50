import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../runtime/errors.js';
import { decode } from '../../runtime/seccomp/bpf.js';
import {
  SECCOMP_FILTER_FLAG,
  SUPPORTED_ACTIONS,
  SUPPORTED_ARCHES,
  SUPPORTED_FLAGS,
  SUPPORTED_OPERATORS,
  compileSeccomp,
  seccompFilter,
  withTsync,
  type SeccompConfig,
} from '../../runtime/seccomp/index.js';
import { X32_SYSCALLS } from '../../linux/syscalls/x32.js';
import { X86_SYSCALLS } from '../../linux/syscalls/x86.js';
import { X86_64_SYSCALLS } from '../../linux/syscalls/x86_64.js';
import { describeRet, run, verify } from './seccomp-bpf.js';

const X86_64 = 0xc000003e;
const I386 = 0x40000003;
const NR = X86_64_SYSCALLS;

/** Configs in these tests are often invalid on purpose: the compiler, not the type, must refuse them. */
type Cfg = object;
const compile = (cfg: Cfg): ReturnType<typeof compileSeccomp> => compileSeccomp(cfg as SeccompConfig);

function evaluate(cfg: Cfg, nr: number, args: Array<number | bigint> = [], arch = X86_64): string {
  return describeRet(run(compile(cfg).program, { nr, arch, args }).ret);
}

function configError(cfg: Cfg): ConfigError {
  try {
    compile(cfg);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('compileSeccomp did not throw');
}

describe('seccomp syscall tables', () => {
  it('hold the x86_64, i386 and x32 numbers the kernel uses', () => {
    expect(X86_64_SYSCALLS.read).toBe(0);
    expect(X86_64_SYSCALLS.mkdir).toBe(83);
    expect(X86_64_SYSCALLS.openat).toBe(257);
    expect(X86_SYSCALLS.mkdir).toBe(39);
    expect(X86_SYSCALLS.socketcall).toBe(102);
    expect(X86_64_SYSCALLS.socketcall).toBeUndefined();
    expect(X32_SYSCALLS.mkdir).toBe(0x40000000 + 83);
    expect(X32_SYSCALLS.rt_sigaction).toBe(0x40000000 + 512);
    for (const nr of Object.values(X32_SYSCALLS)) expect(nr & 0x40000000).toBe(0x40000000);
  });
});

describe('compileSeccomp: actions', () => {
  const cases: Array<[string, number | undefined, string]> = [
    ['SCMP_ACT_KILL', undefined, 'KILL_THREAD'],
    ['SCMP_ACT_KILL_THREAD', undefined, 'KILL_THREAD'],
    ['SCMP_ACT_KILL_PROCESS', undefined, 'KILL_PROCESS'],
    ['SCMP_ACT_TRAP', undefined, 'TRAP'],
    ['SCMP_ACT_ERRNO', undefined, 'ERRNO(1)'],
    ['SCMP_ACT_ERRNO', 38, 'ERRNO(38)'],
    ['SCMP_ACT_ERRNO', 0, 'ERRNO(0)'],
    ['SCMP_ACT_TRACE', undefined, 'TRACE(1)'],
    ['SCMP_ACT_TRACE', 1234, 'TRACE(1234)'],
    ['SCMP_ACT_ALLOW', undefined, 'ALLOW'],
    ['SCMP_ACT_LOG', undefined, 'LOG'],
  ];
  it.each(cases)('default %s (errno %s) → %s', (action, errno, expected) => {
    const cfg: Cfg = { defaultAction: action, defaultErrnoRet: errno };
    expect(evaluate(cfg, NR.getpid!)).toBe(expected);
    expect(evaluate(cfg, -1)).toBe(expected);
  });

  it.each([...cases, ['SCMP_ACT_NOTIFY', undefined, 'USER_NOTIF'] as [string, undefined, string]])(
    'rule %s (errno %s) → %s, other syscalls the default',
    (action, errno, expected) => {
      const defaultAction = action === 'SCMP_ACT_ALLOW' ? 'SCMP_ACT_LOG' : 'SCMP_ACT_ALLOW';
      const cfg: Cfg = {
        defaultAction,
        listenerPath: '/run/agent.sock',
        syscalls: [{ names: ['mkdir', 'mkdirat'], action, errnoRet: errno }],
      };
      expect(evaluate(cfg, NR.mkdir!)).toBe(expected);
      expect(evaluate(cfg, NR.mkdirat!)).toBe(expected);
      expect(evaluate(cfg, NR.getpid!)).toBe(describeRet(defaultAction === 'SCMP_ACT_LOG' ? 0x7ffc0000 : 0x7fff0000));
    },
  );

  it('refuses errnoRet on an action that takes none, naming the field', () => {
    const e = configError({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['getpid'], action: 'SCMP_ACT_KILL' },
        { names: ['mkdir'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 },
      ],
    });
    expect(e.path).toBe('linux.seccomp.syscalls[1].errnoRet');
    expect(e.message).toMatch(/SCMP_ACT_ALLOW does not take an errno/);
    expect(configError({ defaultAction: 'SCMP_ACT_KILL', defaultErrnoRet: 1 }).path).toBe('linux.seccomp.defaultErrnoRet');
    expect(configError({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 70000 }).path).toBe('linux.seccomp.defaultErrnoRet');
    expect(configError({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: -1 }).path).toBe('linux.seccomp.defaultErrnoRet');
  });

  it('refuses unknown actions and NOTIFY as the default', () => {
    expect(configError({ defaultAction: 'SCMP_ACT_NOPE' }).path).toBe('linux.seccomp.defaultAction');
    expect(configError({ defaultAction: 'toString' }).path).toBe('linux.seccomp.defaultAction');
    expect(configError({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/x' }).path).toBe('linux.seccomp.defaultAction');
    const e = configError({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpid'], action: 'ALLOW' }] });
    expect(e.path).toBe('linux.seccomp.syscalls[0].action');
  });

  it('needs listenerPath for NOTIFY, and listenerPath for listenerMetadata', () => {
    expect(configError({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] }).path).toBe(
      'linux.seccomp.listenerPath',
    );
    expect(configError({ defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' }).path).toBe('linux.seccomp.listenerMetadata');
    const ok = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/a', listenerMetadata: 'm' });
    expect(ok.usesNotify).toBe(false);
  });
});

describe('compileSeccomp: architectures', () => {
  const cfg = (architectures?: string[]): Cfg => ({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures,
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
  });

  it('always filters the native x86_64 ABI and kills other arches', () => {
    expect(evaluate(cfg(), 83)).toBe('ERRNO(13)');
    expect(evaluate(cfg(), 39, [], I386)).toBe('KILL_THREAD');
    expect(evaluate(cfg(), 83, [], 0xc00000b7 /* aarch64 */)).toBe('KILL_THREAD');
    expect(evaluate(cfg([]), 83)).toBe('ERRNO(13)');
  });

  it('treats x32 calls as a bad arch unless SCMP_ARCH_X32 is listed (nr -1 passes)', () => {
    expect(evaluate(cfg(), 0x40000000 + 83)).toBe('KILL_THREAD');
    expect(evaluate(cfg(), 0x40000000 + 39)).toBe('KILL_THREAD');
    expect(evaluate(cfg(), 0xffffffff)).toBe('ALLOW');
    const x32 = cfg(['SCMP_ARCH_X32']);
    expect(evaluate(x32, 0x40000000 + 83)).toBe('ERRNO(13)');
    expect(evaluate(x32, 0x40000000 + 39)).toBe('ALLOW');
    expect(evaluate(x32, 83)).toBe('ERRNO(13)');
    expect(evaluate(x32, 39, [], I386)).toBe('KILL_THREAD');
  });

  it('uses the i386 numbers for SCMP_ARCH_X86', () => {
    const x86 = cfg(['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
    expect(evaluate(x86, 39, [], I386)).toBe('ERRNO(13)');
    expect(evaluate(x86, 83, [], I386)).toBe('ALLOW'); // 83 is symlink on i386
    expect(evaluate(x86, 83)).toBe('ERRNO(13)');
    expect(evaluate(x86, 39)).toBe('ALLOW'); // 39 is getpid on x86_64
  });

  it('refuses architectures it cannot filter, naming the field', () => {
    const arm = configError(cfg(['SCMP_ARCH_X86', 'SCMP_ARCH_ARM']));
    expect(arm.path).toBe('linux.seccomp.architectures[1]');
    expect(arm.message).toMatch(/not an architecture of this x86_64 host/);
    const bad = configError(cfg(['SCMP_ARCH_Z80']));
    expect(bad.path).toBe('linux.seccomp.architectures[0]');
    expect(bad.message).toMatch(/not a known architecture/);
  });

  it('skips a name for each listed arch that does not know it, and reports names none knows', () => {
    const multi: Cfg = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [{ names: ['socketcall', 'arch_prctl'], action: 'SCMP_ACT_ERRNO' }],
    };
    expect(evaluate(multi, X86_SYSCALLS.socketcall!, [], I386)).toBe('ERRNO(1)');
    expect(evaluate(multi, NR.arch_prctl!)).toBe('ERRNO(1)');
    expect(evaluate(multi, NR.arch_prctl!, [], I386)).toBe('ALLOW');
    expect(compile(multi).unknown).toEqual([]);
    // As libseccomp, runc and crun: a name no listed arch knows is skipped, not refused.
    const native = compile({ ...multi, architectures: undefined });
    expect(native.unknown).toEqual(['socketcall (syscalls[0].names[0])']);
    expect(describeRet(run(native.program, { nr: NR.arch_prctl!, arch: X86_64, args: [] }).ret)).toBe('ERRNO(1)');
    const typo = compile({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['read'], action: 'SCMP_ACT_LOG' },
        { names: ['write', 'mkdri'], action: 'SCMP_ACT_LOG' },
      ],
    });
    expect(typo.unknown).toEqual(['mkdri (syscalls[1].names[1])']);
    expect(compile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['constructor'], action: 'SCMP_ACT_LOG' }] }).unknown).toHaveLength(1);
    expect(configError({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_LOG' }] }).path).toBe('linux.seccomp.syscalls[0].names');
    expect(configError({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [7], action: 'SCMP_ACT_LOG' }] }).path).toBe(
      'linux.seccomp.syscalls[0].names[0]',
    );
  });
});

// A small deterministic PRNG so the operator tests cover many values reproducibly.
function* values(seed: number): Generator<bigint> {
  const edges = [
    0n,
    1n,
    2n,
    0x7fffffffn,
    0x80000000n,
    0xffffffffn,
    0x100000000n,
    0x100000001n,
    0xffffffff00000000n,
    (1n << 64n) - 1n,
    1n << 63n,
    0x1234567800000000n,
  ];
  yield* edges;
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  for (let i = 0; i < 40; i++) {
    const shape = next() % 4;
    const h = BigInt(shape === 0 ? 0 : shape === 1 ? next() % 3 : next());
    const l = BigInt(next());
    yield (h << 32n) | l;
  }
}

const reference: Record<string, (a: bigint, v: bigint, v2: bigint) => boolean> = {
  SCMP_CMP_EQ: (a, v) => a === v,
  SCMP_CMP_NE: (a, v) => a !== v,
  SCMP_CMP_LT: (a, v) => a < v,
  SCMP_CMP_LE: (a, v) => a <= v,
  SCMP_CMP_GE: (a, v) => a >= v,
  SCMP_CMP_GT: (a, v) => a > v,
  SCMP_CMP_MASKED_EQ: (a, v, v2) => (a & v) === (v2 & v),
};

describe('compileSeccomp: argument comparisons', () => {
  it.each(Object.keys(reference))('%s compares unsigned 64-bit values on x86_64', (op) => {
    const vs = [...values(op.length * 7919)];
    const as = [...values(op.length * 104729)];
    let checked = 0;
    for (const v of vs.slice(0, 20)) {
      const v2 = op === 'SCMP_CMP_MASKED_EQ' ? as[checked % as.length]! : 0n;
      const prog = compile({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 3, op, value: v, valueTwo: v2 }] }],
      }).program;
      for (const a of [...as, v, v + 1n, v - 1n, v2].filter((x) => x >= 0n && x < 1n << 64n)) {
        const got = describeRet(run(prog, { nr: NR.ioctl!, arch: X86_64, args: [0, 0, 0, a] }).ret);
        expect(got, `${a} ${op} ${v} (${v2})`).toBe(reference[op]!(a, v, v2) ? 'ERRNO(1)' : 'ALLOW');
        checked++;
      }
      // The other arguments are not looked at.
      expect(describeRet(run(prog, { nr: NR.ioctl!, arch: X86_64, args: [v, v, v, 0n, v, v] }).ret)).toBe(reference[op]!(0n, v, v2) ? 'ERRNO(1)' : 'ALLOW');
    }
    expect(checked).toBeGreaterThan(500);
  });

  it.each(Object.keys(reference))('%s compares the low 32 bits on x86 and x32, as libseccomp does', (op) => {
    for (const arch of ['SCMP_ARCH_X86', 'SCMP_ARCH_X32']) {
      const nr = arch === 'SCMP_ARCH_X86' ? X86_SYSCALLS.ioctl! : X32_SYSCALLS.ioctl!;
      const audit = arch === 'SCMP_ARCH_X86' ? I386 : X86_64;
      for (const v of [...values(31)].slice(0, 14)) {
        const v2 = op === 'SCMP_CMP_MASKED_EQ' ? 0xf0f0f0f0f0n : 0n;
        const prog = compile({
          defaultAction: 'SCMP_ACT_ALLOW',
          architectures: [arch],
          syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_TRAP', args: [{ index: 1, op, value: v, valueTwo: v2 }] }],
        }).program;
        const low = (x: bigint): bigint => x & 0xffffffffn;
        for (const a of [...values(77)].slice(0, 25)) {
          const got = describeRet(run(prog, { nr, arch: audit, args: [0, a] }).ret);
          expect(got, `${arch}: ${a} ${op} ${v}`).toBe(reference[op]!(low(a), low(v), low(v2)) ? 'TRAP' : 'ALLOW');
        }
      }
    }
  });

  it('ANDs the args of one rule', () => {
    const cfg: Cfg = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        {
          names: ['socket'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: 97,
          args: [
            { index: 0, op: 'SCMP_CMP_EQ', value: 16 },
            { index: 2, op: 'SCMP_CMP_EQ', value: 9, valueTwo: 0 },
          ],
        },
      ],
    };
    expect(evaluate(cfg, NR.socket!, [16, 3, 9])).toBe('ERRNO(97)');
    expect(evaluate(cfg, NR.socket!, [16, 3, 0])).toBe('ALLOW');
    expect(evaluate(cfg, NR.socket!, [2, 3, 9])).toBe('ALLOW');
  });

  it('ORs the args of one rule that names an index twice, as runc does', () => {
    const cfg: Cfg = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        {
          names: ['personality'],
          action: 'SCMP_ACT_ERRNO',
          args: [
            { index: 0, op: 'SCMP_CMP_EQ', value: 0 },
            { index: 0, op: 'SCMP_CMP_EQ', value: 8 },
          ],
        },
      ],
    };
    expect(evaluate(cfg, NR.personality!, [0])).toBe('ERRNO(1)');
    expect(evaluate(cfg, NR.personality!, [8])).toBe('ERRNO(1)');
    expect(evaluate(cfg, NR.personality!, [4])).toBe('ALLOW');
  });

  it('ORs rules for the same syscall, first match in config order', () => {
    const cfg: Cfg = {
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0x7e020000, valueTwo: 0 }] },
        { names: ['clone'], action: 'SCMP_ACT_LOG', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0x10000000 }] },
        { names: ['clone'], action: 'SCMP_ACT_TRAP', args: [{ index: 0, op: 'SCMP_CMP_GE', value: 0x10000000 }] },
        { names: ['read', 'clone'], action: 'SCMP_ACT_ALLOW' },
        { names: ['clone'], action: 'SCMP_ACT_KILL' },
      ],
    };
    expect(evaluate(cfg, NR.clone!, [0x11])).toBe('ALLOW');
    expect(evaluate(cfg, NR.clone!, [0x10000000])).toBe('LOG');
    expect(evaluate(cfg, NR.clone!, [0x10000001])).toBe('TRAP');
    expect(evaluate(cfg, NR.clone!, [0x20000])).toBe('ALLOW'); // the unconditional rule
    expect(evaluate(cfg, NR.read!)).toBe('ALLOW');
    expect(evaluate(cfg, NR.write!)).toBe('ERRNO(1)');
  });

  it('leaves out rules whose action is the default one, so they shadow nothing (runc)', () => {
    const cfg: Cfg = {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      syscalls: [
        { names: ['kill'], action: 'SCMP_ACT_ERRNO' },
        { names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 0 }] },
        { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 3 },
      ],
    };
    expect(evaluate(cfg, NR.kill!, [1, 0])).toBe('ALLOW');
    expect(evaluate(cfg, NR.kill!, [1, 9])).toBe('ERRNO(3)');
  });

  it('matches a zero-mask MASKED_EQ always, as libseccomp does', () => {
    const cfg: Cfg = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['dup'], action: 'SCMP_ACT_LOG', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0, valueTwo: 5 }] }],
    };
    expect(evaluate(cfg, NR.dup!, [123])).toBe('LOG');
  });

  it('refuses bad args, naming the field', () => {
    const rule = (arg: object): Cfg => ({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        {
          names: ['dup'],
          action: 'SCMP_ACT_LOG',
          args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 1 }, { index: 0, op: 'SCMP_CMP_EQ', value: 1, ...arg } as never],
        },
      ],
    });
    expect(configError(rule({ index: 6 })).path).toBe('linux.seccomp.syscalls[0].args[1].index');
    expect(configError(rule({ index: -1 })).path).toBe('linux.seccomp.syscalls[0].args[1].index');
    expect(configError(rule({ op: 'SCMP_CMP_IN' })).path).toBe('linux.seccomp.syscalls[0].args[1].op');
    expect(configError(rule({ value: -5 })).path).toBe('linux.seccomp.syscalls[0].args[1].value');
    expect(configError(rule({ value: 2 ** 60 })).message).toMatch(/lost precision/);
    expect(configError(rule({ value: 1n << 64n })).path).toBe('linux.seccomp.syscalls[0].args[1].value');
    expect(configError(rule({ valueTwo: 3 })).path).toBe('linux.seccomp.syscalls[0].args[1].valueTwo');
    expect(() => compile(rule({ value: (1n << 64n) - 1n }))).not.toThrow();
  });
});

describe('compileSeccomp: flags', () => {
  it('maps the config flags to seccomp(2) flags', () => {
    const f = compileSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
    });
    expect(f.flags).toBe(1 | 2 | 4);
    expect(f.usesNotify).toBe(false);
    expect(compile({ defaultAction: 'SCMP_ACT_ALLOW' }).flags).toBe(0);
  });

  it('adds NEW_LISTENER for NOTIFY, keeps WAIT_KILLABLE_RECV only with it, and TSYNC_ESRCH with TSYNC', () => {
    const notify = { names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' };
    const base: Cfg = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] };
    expect(compile(base).flags).toBe(0);
    const n = compile({ ...base, syscalls: [notify] });
    expect(n.usesNotify).toBe(true);
    expect(n.flags).toBe(SECCOMP_FILTER_FLAG.NEW_LISTENER | SECCOMP_FILTER_FLAG.WAIT_KILLABLE_RECV);
    const t = compile({ ...base, flags: ['SECCOMP_FILTER_FLAG_TSYNC'], syscalls: [notify] });
    expect(t.flags).toBe(1 | 8 | 16);
    expect(withTsync(0)).toBe(1);
    expect(withTsync(8)).toBe(1 | 8 | 16);
  });

  it('hands the init the program in base64 with TSYNC, and the unknown names to the log only', () => {
    const cfg = {
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/run/agent.sock',
      syscalls: [{ names: ['getpid', 'nosuchcall'], action: 'SCMP_ACT_NOTIFY' }],
    };
    const logged: string[] = [];
    const f = seccompFilter(cfg as SeccompConfig, (m) => logged.push(m));
    const c = compile(cfg);
    expect(Buffer.from(f.program, 'base64').equals(c.program)).toBe(true);
    expect(f.flags).toBe(withTsync(c.flags));
    expect(f.listener).toBe(true);
    expect(logged).toEqual(['linux.seccomp: skipped syscall names no listed architecture knows: nosuchcall (syscalls[0].names[1])']);
    expect(seccompFilter({ defaultAction: 'SCMP_ACT_ALLOW' } as SeccompConfig, (m) => logged.push(m)).listener).toBe(false);
    expect(logged).toHaveLength(1);
  });

  it('refuses unknown flags, naming the field', () => {
    const e = configError({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_NEW_LISTENER'] });
    expect(e.path).toBe('linux.seccomp.flags[1]');
  });
});

describe('compileSeccomp: program shape', () => {
  it('keeps every jump within 255 on long programs (trampolines)', () => {
    const names = Object.keys(X86_64_SYSCALLS).filter((n) => n !== 'mkdir');
    const cfg: Cfg = {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }],
    };
    const out = compile(cfg);
    const insns = decode(out.program);
    expect(out.instructions).toBe(insns.length);
    expect(out.instructions).toBeGreaterThan(700);
    expect(out.instructions).toBeLessThanOrEqual(4096);
    verify(insns);
    expect(insns.some((i) => i.code === 0x05)).toBe(true); // at least one trampoline
    const at = (nr: number, arch = X86_64): string => describeRet(run(insns, { nr, arch }).ret);
    for (const n of names) {
      expect(at(X86_64_SYSCALLS[n]!), n).toBe('ALLOW');
      if (X32_SYSCALLS[n] !== undefined) expect(at(X32_SYSCALLS[n]!), `x32 ${n}`).toBe('ALLOW');
      if (X86_SYSCALLS[n] !== undefined) expect(at(X86_SYSCALLS[n]!, I386), `i386 ${n}`).toBe('ALLOW');
    }
    expect(at(NR.mkdir!)).toBe('ERRNO(38)');
    expect(at(X32_SYSCALLS.mkdir!)).toBe('ERRNO(38)');
    expect(at(1000)).toBe('ERRNO(38)');
  });

  it('handles one syscall whose rules are longer than a jump reaches', () => {
    const rules = Array.from({ length: 80 }, (_, i) => ({
      names: ['ioctl'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: i + 1,
      args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 0x5400 + i }],
    }));
    const cfg: Cfg = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [...rules, { names: ['getpid'], action: 'SCMP_ACT_KILL_PROCESS' }] };
    const out = compile(cfg);
    expect(out.instructions).toBeGreaterThan(300);
    for (let i = 0; i < 80; i++) expect(evaluate(cfg, NR.ioctl!, [1, 0x5400 + i])).toBe(`ERRNO(${i + 1})`);
    expect(evaluate(cfg, NR.ioctl!, [1, 0x5400 + 80])).toBe('ALLOW');
    expect(evaluate(cfg, NR.ioctl!, [1, 0x1_0000_5400n])).toBe('ALLOW');
    expect(evaluate(cfg, NR.getpid!)).toBe('KILL_PROCESS');
  });

  it('refuses a program over 4096 instructions with a clear error', () => {
    const rules = Array.from({ length: 800 }, (_, i) => ({
      names: ['ioctl'],
      action: 'SCMP_ACT_LOG',
      args: [{ index: 1, op: 'SCMP_CMP_LE', value: 0x1_0000_0000n + BigInt(i) }],
    }));
    const e = configError({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: rules });
    expect(e.path).toBe('linux.seccomp');
    expect(e.message).toMatch(/more than the kernel's limit of 4096/);
  });

  it('encodes struct sock_filter little-endian, ending in ret', () => {
    const out = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' });
    expect(out.program.length).toBe(out.instructions * 8);
    const first = decode(out.program)[0]!;
    expect(first).toEqual({ code: 0x20, jt: 0, jf: 0, k: 4 }); // ld [arch]
    expect(out.program.subarray(0, 8)).toEqual(Buffer.from([0x20, 0, 0, 0, 4, 0, 0, 0]));
  });

  it('lists what features reports', () => {
    expect(SUPPORTED_ACTIONS).toEqual([
      'SCMP_ACT_KILL',
      'SCMP_ACT_KILL_THREAD',
      'SCMP_ACT_KILL_PROCESS',
      'SCMP_ACT_TRAP',
      'SCMP_ACT_ERRNO',
      'SCMP_ACT_TRACE',
      'SCMP_ACT_ALLOW',
      'SCMP_ACT_LOG',
      'SCMP_ACT_NOTIFY',
    ]);
    expect(SUPPORTED_ARCHES).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(SUPPORTED_OPERATORS).toHaveLength(7);
    expect(SUPPORTED_FLAGS).toEqual([
      'SECCOMP_FILTER_FLAG_TSYNC',
      'SECCOMP_FILTER_FLAG_LOG',
      'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
      'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
    ]);
  });
});

describe("the engines' default profiles (fixtures/engine-configs, recorded from podman and containerd)", () => {
  const profile = (name: string): SeccompConfig =>
    (JSON.parse(readFileSync(new URL(`../../fixtures/engine-configs/${name}`, import.meta.url), 'utf8')) as { linux: { seccomp: SeccompConfig } }).linux
      .seccomp;

  it("compiles podman 4.3's, skipping the names x86 ABIs lack (pciconfig_iobase)", () => {
    const c = compileSeccomp(profile('podman.json'));
    expect(c.unknown.some((u) => u.startsWith('pciconfig_iobase '))).toBe(true);
    const ret = (name: string, arch = X86_64, table: Record<string, number> = NR) => describeRet(run(c.program, { nr: table[name]!, arch, args: [] }).ret);
    expect(ret('read')).toBe('ALLOW');
    expect(ret('getpid', I386, X86_SYSCALLS)).toBe('ALLOW');
    // Not in its allow list: the default action, ERRNO(EPERM=1) here.
    expect(ret('kexec_load')).toBe('ERRNO(1)');
    expect(ret('init_module')).toBe('ERRNO(1)');
  });

  it("compiles containerd 1.6's, skipping recv (no x86_64 number)", () => {
    const c = compileSeccomp(profile('containerd-seccomp.json'));
    expect(c.unknown.some((u) => u.startsWith('recv '))).toBe(true);
    const ret = (name: string) => describeRet(run(c.program, { nr: NR[name]!, arch: X86_64, args: [] }).ret);
    expect(ret('recvfrom')).toBe('ALLOW');
    expect(ret('kexec_load')).toBe('ERRNO(1)');
  });
});
