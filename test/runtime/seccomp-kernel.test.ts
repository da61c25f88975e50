// Root only: proves that the kernel accepts and enforces compiled programs, through
// a tiny C loader built at test time (PR_SET_NO_NEW_PRIVS, seccomp(2), execvp).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X86_64_SYSCALLS } from '../../linux/syscalls/x86_64.js';
import { compileSeccomp, type SeccompConfig } from '../../runtime/seccomp/index.js';

const LOADER_C = `
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: loader PROGRAM FLAGS CMD [ARG...]\\n"); return 127; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror("fopen"); return 127; }
  static unsigned char buf[4096 * 8 + 8];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  if (n == 0 || n % 8 != 0 || n > 4096 * 8) { fprintf(stderr, "bad program size %zu\\n", n); return 127; }
  struct sock_fprog prog = { .len = (unsigned short)(n / 8), .filter = (struct sock_filter *)buf };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("prctl"); return 126; }
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, strtoul(argv[2], NULL, 0), &prog) < 0) {
    fprintf(stderr, "seccomp: %s\\n", strerror(errno));
    return 125;
  }
  execvp(argv[3], argv + 3);
  fprintf(stderr, "execvp: %s\\n", strerror(errno));
  return 124;
}
`;

const isRoot = process.getuid?.() === 0;
const hasCc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!isRoot || !hasCc)('seccomp programs in the kernel (root, cc)', () => {
  let dir = '';
  let loader = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'conform-seccomp-'));
    writeFileSync(join(dir, 'loader.c'), LOADER_C);
    loader = join(dir, 'loader');
    const cc = spawnSync('cc', ['-O1', '-o', loader, join(dir, 'loader.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let seq = 0;
  function runUnder(cfg: SeccompConfig, cmd: string[]) {
    const out = compileSeccomp(cfg);
    const file = join(dir, `prog-${++seq}.bpf`);
    writeFileSync(file, out.program);
    return spawnSync(loader, [file, String(out.flags), ...cmd], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, timeout: 10_000 });
  }

  it('returns the configured errno for mkdir while other commands work', () => {
    const cfg: SeccompConfig = {
      defaultAction: 'SCMP_ACT_ALLOW',
      flags: ['SECCOMP_FILTER_FLAG_TSYNC'],
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    };
    const target = join(dir, 'made-by-mkdir');
    const mk = runUnder(cfg, ['mkdir', target]);
    expect(mk.status, mk.stderr).toBe(1);
    expect(mk.stderr).toMatch(/Permission denied/);
    expect(existsSync(target)).toBe(false);
    const t = runUnder(cfg, ['true']);
    expect(t.status, t.stderr).toBe(0);
  });

  it('kills the process with SIGSYS for SCMP_ACT_KILL_PROCESS', () => {
    const r = runUnder({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL_PROCESS' }] }, [
      'mkdir',
      join(dir, 'never'),
    ]);
    expect(r.signal).toBe('SIGSYS');
  });

  it('enforces argument conditions (kill(pid, 0) refused, other signals allowed)', () => {
    const cfg: SeccompConfig = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 0 }] }],
    };
    const zero = runUnder(cfg, ['sh', '-c', 'kill -0 $$ && echo alive']);
    expect(zero.stdout).not.toMatch(/alive/);
    const cont = runUnder(cfg, ['sh', '-c', 'kill -CONT $$ && echo alive']);
    expect(cont.stdout).toMatch(/alive/);
  });

  it('accepts a long multi-arch allow-list and falls back to the default errno', () => {
    const names = Object.keys(X86_64_SYSCALLS).filter((n) => n !== 'mkdir' && n !== 'mkdirat');
    const cfg: SeccompConfig = {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }],
    };
    expect(compileSeccomp(cfg).instructions).toBeGreaterThan(255);
    const mk = runUnder(cfg, ['mkdir', join(dir, 'enosys')]);
    expect(mk.status).toBe(1);
    expect(mk.stderr).toMatch(/Function not implemented/);
    expect(runUnder(cfg, ['true']).status).toBe(0);
  });
});
