// Scheduling and execution attributes (runtime/init/attributes.ts), the fields this
// runtime refuses (runtime/config/unsupported.ts), the exact rlimit digits
// (runtime/config/rlimits.ts) and the --console-socket rules.
import { describe, expect, it } from 'vitest';
import { checkConsoleOptions } from '../../runtime/commands/console-socket.js';
import { keepExactRlimits, rlimitValue } from '../../runtime/config/rlimits.js';
import type { Linux, Scheduler } from '../../schemas/config.js';
import type { Config, Process, Rlimit } from '../../runtime/config/validate.js';
import { refuseUnsupported, refuseUnsupportedProcess } from '../../runtime/config/unsupported.js';
import { parseList } from '../../runtime/cgroups/values.js';
import { applyAttributes, planAttributes } from '../../runtime/init/attributes.js';
import { FakeSyscalls } from '../../runtime/syscalls-fake.js';
import { errorOf } from '../helpers/error-of.js';

const proc = (over: Partial<Process> = {}): Process => ({ cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 }, ...over });

describe('planAttributes', () => {
  it("turns scheduler names into sched_attr numbers, with the spec's defaults of 0", () => {
    const plan = planAttributes(
      proc({ scheduler: { policy: 'SCHED_BATCH', nice: 5, flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_KEEP_PARAMS'] } }),
      undefined,
      { exec: false },
    );
    expect(plan.sched).toEqual({ policy: 3, flags: 0x11n, nice: 5, priority: 0, runtime: 0n, deadline: 0n, period: 0n });
    const dl = planAttributes(proc({ scheduler: { policy: 'SCHED_DEADLINE', runtime: 10_000_000, deadline: 30_000_000, period: 30_000_000 } }), undefined, {
      exec: false,
    });
    expect(dl.sched).toMatchObject({ policy: 6, runtime: 10_000_000n, deadline: 30_000_000n, period: 30_000_000n });
  });

  it('encodes ioPriority as class << 13 | priority', () => {
    expect(planAttributes(proc({ ioPriority: { class: 'IOPRIO_CLASS_IDLE', priority: 7 } }), undefined, { exec: false }).ioprio).toBe((3 << 13) | 7);
    expect(planAttributes(proc({ ioPriority: { class: 'IOPRIO_CLASS_RT', priority: 0 } }), undefined, { exec: false }).ioprio).toBe(1 << 13);
  });

  it("personality and memoryPolicy apply to the container, not to exec'd processes", () => {
    const linux: Linux = { personality: { domain: 'LINUX32' }, memoryPolicy: { mode: 'MPOL_INTERLEAVE', nodes: '0-2,5', flags: ['MPOL_F_STATIC_NODES'] } };
    const plan = planAttributes(proc(), linux, { exec: false });
    expect(plan.personality).toBe(8);
    expect(plan.mempolicy).toEqual({ mode: 3 | (1 << 15), nodes: [0, 1, 2, 5] });
    expect(planAttributes(proc(), linux, { exec: true })).toEqual({});
  });

  it('execCPUAffinity.final applies to exec\'d processes only ("not applicable to the container\'s init process")', () => {
    const p = proc({ execCPUAffinity: { initial: '0', final: '0-1' } });
    expect(planAttributes(p, undefined, { exec: true }).affinity).toEqual([0, 1]);
    expect(planAttributes(p, undefined, { exec: false }).affinity).toBeUndefined();
  });

  it('refuses unknown names and bad values, naming the field', () => {
    // Values the schema types exclude: the planner checks them itself (the schema check may not have run).
    const unchecked = <T>(v: unknown): T => v as T;
    expect(errorOf(() => planAttributes(proc({ scheduler: { policy: unchecked<Scheduler['policy']>('SCHED_FAST') } }), undefined, { exec: false }))).toMatch(
      /^config\.json: process\.scheduler\.policy "SCHED_FAST" is not one of SCHED_OTHER/,
    );
    expect(
      errorOf(() =>
        planAttributes(proc({ scheduler: { policy: 'SCHED_OTHER', flags: [unchecked<NonNullable<Scheduler['flags']>[number]>('SCHED_FLAG_X')] } }), undefined, {
          exec: false,
        }),
      ),
    ).toMatch(/process\.scheduler\.flags\[0\]/);
    expect(errorOf(() => planAttributes(proc({ scheduler: { policy: 'SCHED_OTHER', nice: 20 } }), undefined, { exec: false }))).toMatch(
      /process\.scheduler\.nice must be from -20 to 19/,
    );
    expect(errorOf(() => planAttributes(proc({ ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 8 } }), undefined, { exec: false }))).toMatch(
      /process\.ioPriority\.priority must be from 0 to 7/,
    );
    expect(errorOf(() => planAttributes(proc(), { personality: { domain: 'LINUX', flags: ['X'] } }, { exec: false }))).toMatch(
      /linux\.personality\.flags cannot be applied/,
    );
    expect(errorOf(() => planAttributes(proc(), { personality: unchecked<Linux['personality']>({ domain: 'SVR4' }) }, { exec: false }))).toMatch(
      /linux\.personality\.domain "SVR4"/,
    );
    expect(errorOf(() => planAttributes(proc(), { memoryPolicy: { mode: 'MPOL_BIND', nodes: '3-1' } }, { exec: false }))).toMatch(
      /linux\.memoryPolicy\.nodes "3-1" is not a list/,
    );
    expect(errorOf(() => planAttributes(proc({ execCPUAffinity: { initial: 'all' } }), undefined, { exec: false }))).toMatch(/execCPUAffinity\.initial/);
  });

  it('parses CPU and node lists', () => {
    expect(parseList('0-3,7', 'x')).toEqual([0, 1, 2, 3, 7]);
    expect(parseList('4', 'x')).toEqual([4]);
    for (const bad of ['', '1,', '-1', 'a', '2-1']) expect(() => parseList(bad, 'x'), bad).toThrow();
  });
});

describe('applyAttributes (recording fake)', () => {
  it('makes one call per attribute on the calling thread, personality and memory policy first', () => {
    const sys = new FakeSyscalls();
    const plan = planAttributes(
      proc({ scheduler: { policy: 'SCHED_IDLE' }, ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 4 } }),
      { personality: { domain: 'LINUX' }, memoryPolicy: { mode: 'MPOL_BIND', nodes: '0' } },
      { exec: false },
    );
    applyAttributes(sys, plan);
    expect(sys.names()).toEqual(['personality', 'setMempolicy', 'schedSetattr', 'ioprioSet']);
    expect(sys.calls[1]!.args).toEqual([2, [0]]);
    expect(sys.calls[3]!.args).toEqual([(2 << 13) | 4]);
  });

  it('a kernel refusal is an error naming the field', () => {
    const sys = new FakeSyscalls().failWith('schedSetattr', 'EPERM');
    expect(errorOf(() => applyAttributes(sys, planAttributes(proc({ scheduler: { policy: 'SCHED_FIFO', priority: 10 } }), undefined, { exec: false })))).toBe(
      'config.json: process.scheduler cannot be applied: schedSetattr : EPERM',
    );
  });
});

describe('refuseUnsupported: one line naming the field', () => {
  const config = (over: Record<string, unknown> = {}, linux: Record<string, unknown> = {}): Config =>
    ({ ociVersion: '1.3.0', root: { path: 'rootfs' }, process: proc(), linux: { ...linux }, ...over }) as Config;
  it('accepts what the runtime implements', () => expect(errorOf(() => refuseUnsupported(config()))).toBe('no error'));
  it.each([
    ['process.apparmorProfile', config({ process: proc({ apparmorProfile: 'docker-default' }) })],
    ['process.selinuxLabel', config({ process: proc({ selinuxLabel: 'system_u:system_r:container_t:s0' }) })],
    ['linux.mountLabel', config({}, { mountLabel: 'system_u:object_r:container_file_t:s0' })],
    ['linux.intelRdt', config({}, { intelRdt: { closID: 'x' } })],
    ['vm', config({ vm: { hypervisor: { path: '/usr/bin/qemu' }, kernel: { path: '/k' } } })],
  ])('%s', (field, c) =>
    expect(errorOf(() => refuseUnsupported(c))).toMatch(new RegExp(`^config\\.json: ${field.replace(/[.[\]]/g, '\\$&')} cannot be applied: `)),
  );
  it('seccomp with a listener (SCMP_ACT_NOTIFY) or without is applied', () => {
    expect(errorOf(() => refuseUnsupported(config({}, { seccomp: { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock' } })))).toBe('no error');
    expect(
      errorOf(() =>
        refuseUnsupported(
          config(
            {},
            { seccomp: { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock', syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_NOTIFY' }] } },
          ),
        ),
      ),
    ).toBe('no error');
  });
  it("exec'd processes too", () =>
    expect(errorOf(() => refuseUnsupportedProcess(proc({ selinuxLabel: 'x' }), 'p.json'))).toMatch(/^config\.json: p\.json\.selinuxLabel/));
});

describe('rlimit values, digit for digit', () => {
  it('keeps the digits JSON.parse rounds (RLIM_INFINITY) and leaves small values alone', () => {
    const text =
      '{"process":{"rlimits":[{"type":"RLIMIT_CPU","soft":1234,"hard":18446744073709551615},{"type":"RLIMIT_AS","soft":9007199254740993,"hard":18446744073709551615}]}}';
    const rlimits = (JSON.parse(text) as { process: { rlimits: Rlimit[] } }).process.rlimits;
    keepExactRlimits(text, ['process'], rlimits);
    expect(rlimits[0]!.exact).toEqual({ hard: '18446744073709551615' });
    expect(rlimitValue(rlimits[0]!, 'soft')).toBe(1234n);
    expect(rlimitValue(rlimits[0]!, 'hard')).toBe(2n ** 64n - 1n);
    expect(rlimitValue(rlimits[1]!, 'soft')).toBe(9007199254740993n);
  });
  it('without the text, a value that rounded up to 2^64 is the maximum', () => {
    expect(rlimitValue({ type: 'RLIMIT_CPU', soft: 2 ** 64, hard: 2 ** 64 }, 'soft')).toBe(2n ** 64n - 1n);
  });
});

describe('--console-socket', () => {
  it('a terminal needs the socket, and the socket a terminal', () => {
    expect(errorOf(() => checkConsoleOptions(true, undefined))).toMatch(/^config\.json: process\.terminal is true: give --console-socket PATH/);
    expect(errorOf(() => checkConsoleOptions(false, '/run/c.sock'))).toMatch(/^--console-socket is only used with a terminal/);
    expect(errorOf(() => checkConsoleOptions(true, '/run/c.sock'))).toBe('no error');
    expect(errorOf(() => checkConsoleOptions(false, undefined))).toBe('no error');
  });
});
