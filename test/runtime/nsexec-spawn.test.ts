// create's start of nsexec: posix_spawn through the syscall layer, and nsexec's -f, which
// puts the fds it was given at 3, 4, 5… (a slot of -1 closed) before anything else.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyncChannel } from '../../runtime/init/sync.js';
import { libc } from '../../runtime/syscalls-libc.js';

const NSEXEC = join(import.meta.dirname, '..', '..', 'dist', 'nsexec');
const dir = mkdtempSync(join(tmpdir(), 'conform-nsexec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(NSEXEC))('nsexec started with posix_spawn', () => {
  it('gets its fds placed by -f, a -1 slot closed, / as its cwd, no signal ignored or blocked', () => {
    const sys = libc();
    const [mine, theirs] = sys.socketpair();
    const file = join(dir, 'preserved');
    const preserved = openSync(file, 'w');
    // Taken by something of ours that the program must not see at 4.
    const stray = openSync(join(dir, 'stray'), 'w');
    const fds = [theirs, -1, preserved];
    const report = [
      'readlink /proc/self/fd/5 >&3',
      '[ -e /proc/self/fd/4 ] && echo four-open >&3',
      `[ -e /proc/self/fd/${theirs} ] && echo source-open >&3`,
      'echo cwd=$(pwd) >&3',
      "grep -E '^Sig(Ign|Blk)' /proc/self/status >&3",
    ].join('; ');
    for (const fd of [theirs, preserved]) sys.setCloexec(fd, false);
    const pid = sys.spawn(NSEXEC, [NSEXEC, '-f', fds.join(','), '--', '/bin/sh', '-c', report], []);
    closeSync(theirs);
    closeSync(preserved);
    const chan = new SyncChannel(mine);
    try {
      expect(chan.readLine()).toMatch(/^ready \d+$/);
      chan.sendLine('go');
      expect(chan.readLine()).toMatch(/^pid \d+$/);
      expect(sys.waitpid(pid)).toBe(0);
      const lines: string[] = [];
      for (let l = chan.readLine(); l !== undefined; l = chan.readLine()) lines.push(l);
      expect(lines).toEqual([file, 'cwd=/', 'SigBlk:\t0000000000000000', 'SigIgn:\t0000000000000000']);
    } finally {
      chan.close();
      closeSync(stray);
    }
    // Which makes the SigIgn line above a finding: Node ignores SIGPIPE, and ignored
    // signals stay ignored across execve unless the spawn resets them.
    const ignored = BigInt(`0x${/^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`);
    expect(ignored & (1n << 12n)).not.toBe(0n);
  });

  it('says why when the program cannot be started', () => {
    expect(() => libc().spawn(join(dir, 'missing'), ['missing'], [])).toThrow(/posix_spawn .*ENOENT/);
  });
});
