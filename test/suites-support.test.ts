// The pure helpers behind the seccomp, extensibility and features suites.
import { describe, expect, it } from 'vitest';
import { X86_64_SYSCALLS } from '../linux/syscalls/x86_64.js';
import { i386ExitProgram, i386MkdirProgram } from '../linux/i386.js';
import { parseKmsgRecord } from '../suites/support/kmsg.js';
import { PROBE_SYSCALLS, SIGSYS_STATUS, UNUSED_SYSCALLS, outcome, parseAttempts } from '../suites/support/seccomp.js';
import { faultsIn } from '../suites/support/trials.js';

describe('parseAttempts', () => {
  it('reads labelled outcomes with their errno names', () => {
    const got = parseAttempts(
      [
        "@try mkdir 1 mkdir: can't create directory '/conform-dir': Numerical argument out of domain ",
        'noise',
        '@try touch 0 ',
        `@try kill ${SIGSYS_STATUS} Bad system call `,
      ].join('\n'),
    );
    expect(got.get('mkdir')).toMatchObject({ rc: 1, errnos: ['EDOM'] });
    expect(outcome(got.get('mkdir'))).toBe('EDOM');
    expect(outcome(got.get('touch'))).toBe('ok');
    expect(outcome(got.get('kill'))).toBe('killed by SIGSYS');
    expect(outcome(got.get('absent'))).toMatch(/no result/);
  });
});

describe('the allow list', () => {
  it('names only x86_64 syscalls, and none a case uses as its target', () => {
    for (const name of [...PROBE_SYSCALLS, ...UNUSED_SYSCALLS]) expect(X86_64_SYSCALLS[name], name).toBeTypeOf('number');
    for (const target of ['mkdir', 'mkdirat', 'chmod', 'fchmodat', 'setpriority', 'personality', 'kill', 'sethostname', 'utimensat']) {
      expect(PROBE_SYSCALLS).not.toContain(target);
    }
    expect(PROBE_SYSCALLS.filter((n) => UNUSED_SYSCALLS.includes(n))).toEqual([]);
  });
});

describe('i386MkdirProgram', () => {
  it('is a 32-bit x86 ELF executable whose entry and path lie in its one loaded segment', () => {
    const elf = i386MkdirProgram('/conform-i386-dir');
    expect([...elf.subarray(0, 6)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 1, 1]);
    expect(elf.readUInt16LE(16)).toBe(2); // ET_EXEC
    expect(elf.readUInt16LE(18)).toBe(3); // EM_386
    const entry = elf.readUInt32LE(24);
    const [type, offset, vaddr, , filesz] = [0, 4, 8, 12, 16].map((o) => elf.readUInt32LE(52 + o));
    expect(type).toBe(1);
    expect(offset).toBe(0);
    expect(filesz).toBe(elf.length);
    expect(entry).toBe(vaddr! + 84);
    // mov ebx, <path address>: the address points at the NUL-terminated path
    const pathAddr = elf.readUInt32LE(84 + 6);
    const at = pathAddr - vaddr!;
    expect(elf.toString('latin1', at, elf.indexOf(0, at))).toBe('/conform-i386-dir');
  });
});

describe('i386ExitProgram', () => {
  it('loads exit status into ebx and makes the exit syscall at its entry', () => {
    const elf = i386ExitProgram(42);
    expect(elf.readUInt16LE(18)).toBe(3); // EM_386
    expect(elf.readUInt32LE(24)).toBe(elf.readUInt32LE(52 + 8) + 84);
    expect(elf.readUInt32LE(52 + 16)).toBe(elf.length);
    expect([...elf.subarray(84)]).toEqual([0xbb, 42, 0, 0, 0, 0xb8, 1, 0, 0, 0, 0xcd, 0x80]);
  });
});

describe('parseKmsgRecord', () => {
  it('splits the sequence number from the message', () => {
    const r = parseKmsgRecord('5,1234,2216991717,-;audit: type=1326 audit(1.5:12): comm="mkdir" code=0x50000\n SUBSYSTEM=x\n');
    expect(r).toEqual({ seq: 1234, message: 'audit: type=1326 audit(1.5:12): comm="mkdir" code=0x50000' });
  });
});

describe('faultsIn', () => {
  const values = Array.from({ length: 16 }, (_, i) => `v${i}`);
  const counting = (fails: (vs: readonly string[]) => boolean) => {
    const tried: string[][] = [];
    const tryGroup = async (vs: readonly string[]) => {
      tried.push([...vs]);
      return fails(vs) ? `refused ${vs.join(',')}` : undefined;
    };
    return { tried, tryGroup };
  };

  it('names one bad value of 16 in 8 tries (halves, then each of the last 4)', async () => {
    const { tried, tryGroup } = counting((vs) => vs.includes('v9'));
    expect(await faultsIn(values, tryGroup)).toEqual(new Map([['v9', 'refused v9']]));
    expect(tried).toHaveLength(8);
  });

  it('names every bad value, each tried alone in the end', async () => {
    const bad = new Set(['v0', 'v5', 'v15']);
    const { tryGroup } = counting((vs) => vs.some((v) => bad.has(v)));
    expect([...(await faultsIn(values, tryGroup)).keys()].sort()).toEqual([...bad].sort());
    const all = counting(() => true);
    expect((await faultsIn(values, all.tryGroup)).size).toBe(16);
  });

  it('names none when only the combination fails', async () => {
    const { tryGroup } = counting((vs) => vs.includes('v1') && vs.includes('v14'));
    expect((await faultsIn(values, tryGroup)).size).toBe(0);
  });
});
