import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CAPABILITIES,
  KNOWN_LAST_CAP,
  capMask,
  capName,
  capNames,
  capNumber,
  formatCapHex,
  lastCap,
  parseCapHex,
  parseStatusCaps,
} from '../../linux/capabilities.js';
import { LINUX_CAPABILITY_VERSION_3, capWords, planCapabilities, type CapStep } from '../../runtime/capabilities.js';

describe('linux/capabilities', () => {
  it('numbers the capabilities as linux/capability.h does', () => {
    expect(KNOWN_LAST_CAP).toBe(40);
    expect(capNumber('CAP_CHOWN')).toBe(0);
    expect(capNumber('CAP_SYS_ADMIN')).toBe(21);
    expect(capNumber('CAP_AUDIT_READ')).toBe(37);
    expect(capNumber('CAP_CHECKPOINT_RESTORE')).toBe(40);
    expect(capNumber('cap_chown')).toBeUndefined();
    expect(capNumber('CHOWN')).toBeUndefined();
    expect(capName(41)).toBe('CAP_41');
  });

  it.skipIf(!existsSync('/usr/include/linux/capability.h'))('agrees with the installed linux/capability.h', () => {
    const header = readFileSync('/usr/include/linux/capability.h', 'utf8');
    const defined = new Map<string, number>();
    for (const m of header.matchAll(/^#define (CAP_[A-Z_]+)\s+(\d+)\s*$/gm)) defined.set(m[1]!, Number(m[2]));
    for (const [name, n] of defined) {
      if (n <= KNOWN_LAST_CAP) expect(capNumber(name), name).toBe(n);
    }
    expect(defined.size).toBeGreaterThanOrEqual(CAPABILITIES.length);
  });

  it('converts between names and masks', () => {
    expect(capMask([])).toBe(0n);
    expect(capMask(['CAP_CHOWN', 'CAP_KILL'])).toBe(0b100001n);
    expect(capMask(['CAP_CHECKPOINT_RESTORE'])).toBe(1n << 40n);
    expect(() => capMask(['CAP_NOPE'])).toThrow(/CAP_NOPE/);
    expect(capNames(0b100001n)).toEqual(['CAP_CHOWN', 'CAP_KILL']);
    expect(capNames(1n << 45n)).toEqual(['CAP_45']);
    const all = capMask([...CAPABILITIES]);
    expect(all).toBe((1n << 41n) - 1n);
    expect(capNames(all)).toEqual(CAPABILITIES);
  });

  it('parses and formats the /proc/PID/status hex format', () => {
    expect(parseCapHex('000001ffffffffff')).toBe((1n << 41n) - 1n);
    expect(parseCapHex('00000000a80425fb\n')).toBe(0xa80425fbn);
    expect(() => parseCapHex('xyz')).toThrow();
    expect(() => parseCapHex('')).toThrow();
    expect(formatCapHex(0xa80425fbn)).toBe('00000000a80425fb');
  });

  it('reads the five sets from a recorded /proc/PID/status', () => {
    const status = [
      'Name:\tsh',
      'CapInh:\t0000000000000000',
      'CapPrm:\t00000000a80425fb',
      'CapEff:\t00000000a80425fb',
      'CapBnd:\t00000000a80425fb',
      'CapAmb:\t0000000000000000',
      'NoNewPrivs:\t0',
    ].join('\n');
    const caps = parseStatusCaps(status);
    expect(capNames(caps.effective)).toEqual([
      'CAP_CHOWN',
      'CAP_DAC_OVERRIDE',
      'CAP_FOWNER',
      'CAP_FSETID',
      'CAP_KILL',
      'CAP_SETGID',
      'CAP_SETUID',
      'CAP_SETPCAP',
      'CAP_NET_BIND_SERVICE',
      'CAP_NET_RAW',
      'CAP_SYS_CHROOT',
      'CAP_MKNOD',
      'CAP_AUDIT_WRITE',
      'CAP_SETFCAP',
    ]);
    expect(caps.ambient).toBe(0n);
    expect(() => parseStatusCaps('Name:\tsh')).toThrow(/CapInh/);
  });

  it('reads cap_last_cap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conform-caps-'));
    try {
      writeFileSync(join(dir, 'ok'), '40\n');
      writeFileSync(join(dir, 'bad'), 'forty\n');
      expect(lastCap(join(dir, 'ok'))).toBe(40);
      expect(() => lastCap(join(dir, 'bad'))).toThrow(/unexpected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (existsSync('/proc/sys/kernel/cap_last_cap')) expect(lastCap()).toBeGreaterThanOrEqual(36);
  });
});

describe('runtime/capabilities planCapabilities', () => {
  const runcDefault = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

  it('builds the masks and the ordered steps', () => {
    const plan = planCapabilities(
      { bounding: runcDefault, effective: runcDefault, permitted: runcDefault, inheritable: runcDefault, ambient: ['CAP_KILL'] },
      40,
    );
    const mask = capMask(runcDefault);
    expect(plan.sets).toEqual({ bounding: mask, effective: mask, permitted: mask, inheritable: mask, ambient: 1n << 5n });
    expect(plan.warnings).toEqual([]);

    const ops = plan.steps.map((s) => s.op);
    const firstNonDrop = ops.findIndex((o) => o !== 'bounding-drop');
    expect(ops.slice(firstNonDrop)).toEqual(['keep-caps', 'switch-user', 'capset', 'ambient-clear', 'ambient-raise']);
    const dropped = plan.steps.filter((s): s is Extract<CapStep, { op: 'bounding-drop' }> => s.op === 'bounding-drop').map((s) => s.cap);
    expect(dropped).toHaveLength(41 - 3);
    expect(dropped).not.toContain(5);
    expect(dropped).toContain(40);
    expect(plan.steps[firstNonDrop]).toEqual({ op: 'keep-caps', value: 1 });
    expect(plan.steps.find((s) => s.op === 'capset')).toEqual({
      op: 'capset',
      effective: [Number(mask), 0],
      permitted: [Number(mask), 0],
      inheritable: [Number(mask), 0],
    });
    expect(plan.steps.at(-1)).toEqual({ op: 'ambient-raise', cap: 5 });
    expect(LINUX_CAPABILITY_VERSION_3).toBe(0x20080522);
  });

  it('drops the whole bounding set up to the host last cap when none is kept', () => {
    const plan = planCapabilities({}, 37);
    expect(plan.sets.bounding).toBe(0n);
    expect(plan.steps.filter((s) => s.op === 'bounding-drop')).toHaveLength(38);
    expect(plan.steps.filter((s) => s.op === 'ambient-raise')).toHaveLength(0);
  });

  it('drops capabilities the table does not name when the kernel has more', () => {
    const plan = planCapabilities({ bounding: ['CAP_CHOWN'] }, 42);
    const dropped = plan.steps.flatMap((s) => (s.op === 'bounding-drop' ? [s.cap] : []));
    expect(dropped).toContain(41);
    expect(dropped).toContain(42);
    expect(dropped).not.toContain(0);
  });

  it('splits high capabilities into the second capset word', () => {
    expect(capWords((1n << 40n) | 1n)).toEqual([1, 1 << 8]);
    expect(capWords(0xffffffffn)).toEqual([0xffffffff, 0]);
  });

  it('warns about (and leaves out) unknown names and names beyond the kernel', () => {
    const plan = planCapabilities({ bounding: ['CAP_CHOWN', 'CAP_BPF', 'CAP_WHATEVER'], permitted: ['CAP_CHOWN', 'CAP_BPF'], effective: ['CAP_CHOWN'] }, 38);
    expect(plan.sets.bounding).toBe(1n);
    expect(plan.sets.permitted).toBe(1n);
    expect(plan.warnings.map((w) => [w.set, w.name, w.reason])).toEqual([
      ['bounding', 'CAP_BPF', 'beyond-last-cap'],
      ['bounding', 'CAP_WHATEVER', 'unknown'],
      ['permitted', 'CAP_BPF', 'beyond-last-cap'],
    ]);
    expect(plan.warnings[1]!.message).toMatch(/process\.capabilities\.bounding: CAP_WHATEVER .*ignored/);
  });

  it('leaves out combinations the kernel refuses, with a warning each', () => {
    const plan = planCapabilities(
      {
        bounding: ['CAP_CHOWN', 'CAP_KILL'],
        permitted: ['CAP_CHOWN', 'CAP_KILL'],
        effective: ['CAP_CHOWN', 'CAP_SYS_ADMIN'],
        inheritable: ['CAP_KILL', 'CAP_NET_RAW'],
        ambient: ['CAP_CHOWN', 'CAP_KILL'],
      },
      40,
    );
    expect(capNames(plan.sets.effective)).toEqual(['CAP_CHOWN']);
    expect(capNames(plan.sets.inheritable)).toEqual(['CAP_KILL']);
    expect(capNames(plan.sets.ambient)).toEqual(['CAP_KILL']);
    expect(plan.warnings.map((w) => [w.set, w.name, w.reason])).toEqual([
      ['effective', 'CAP_SYS_ADMIN', 'not-in-permitted'],
      ['inheritable', 'CAP_NET_RAW', 'not-in-bounding'],
      ['ambient', 'CAP_CHOWN', 'not-in-permitted-and-inheritable'],
    ]);
  });
});
