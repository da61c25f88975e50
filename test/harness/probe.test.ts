import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDev, parseHexDump, parseLimits, parseProbe, parseStatus, splitNul, splitSections } from '../../harness/probe/parse.js';
import { mountAt, parseMountinfo, propagation } from '../../harness/probe/mountinfo.js';
import { fixture } from '../helpers/conform.js';

// Recorded from runc 1.1.5 running the probe as uid 1000 (see fixtures/probe/).
const recorded = readFileSync(fixture('probe', 'runc-user1000.out'), 'utf8');

describe('probe output recorded from runc', () => {
  const facts = parseProbe(recorded);

  it('is complete, with every section', () => {
    expect(facts.started).toBe(true);
    expect(facts.complete).toBe(true);
    expect([...facts.sections.keys()]).toEqual(
      expect.arrayContaining([
        'meta',
        'cmdline',
        'environ',
        'status',
        'limits',
        'cwd',
        'oom',
        'ns',
        'uts',
        'idmap',
        'fds',
        'cgroup',
        'mountinfo',
        'dev',
        'cmd:echo',
      ]),
    );
  });

  it('decodes argv and the environment exactly', () => {
    expect(facts.args).toEqual(['/bin/sh', '/conform/probe', '--cmd', 'echo', 'echo hello; exit 3']);
    // runc adds HOME from the rootfs's /etc/passwd when process.env has none.
    expect(facts.env).toEqual(['PATH=/bin', 'A=b c', 'EMPTY=', 'HOME=/home/conform']);
  });

  it('reads ids, groups, umask and capabilities from status', () => {
    expect(facts.pid).toBe(1);
    expect(facts.status?.uid).toEqual([1000, 1000, 1000, 1000]);
    expect(facts.status?.gid).toEqual([1000, 1000, 1000, 1000]);
    expect(facts.status?.groups).toEqual([5, 27]);
    expect(facts.status?.umask).toBe(0o022);
    expect(facts.status?.noNewPrivs).toBe(true);
    expect(facts.status?.capBnd).toBe(0x20000420n); // runc spec's AUDIT_WRITE, KILL, NET_BIND_SERVICE
    expect(facts.status?.capEff).toBe(0n); // dropped on the change to uid 1000 without ambient
  });

  it('reads limits, cwd, oom_score_adj, uts', () => {
    expect(facts.limits?.RLIMIT_NOFILE).toEqual({ soft: 1024n, hard: 1024n });
    expect(facts.limits?.RLIMIT_CPU).toEqual({ soft: 'unlimited', hard: 'unlimited' });
    expect(Object.keys(facts.limits ?? {})).toHaveLength(16);
    expect(facts.cwd).toBe('/tmp');
    expect(facts.oomScoreAdj).toBe(100);
    expect(facts.hostname).toBe('runc');
    expect(facts.domainname).toBe('(none)'); // runc 1.1.5 ignores `domainname`
  });

  it('reads namespaces, mounts and devices', () => {
    expect(facts.ns?.pid).toMatch(/^pid:\[\d+\]$/);
    expect(facts.ns?.net).toMatch(/^net:\[\d+\]$/);
    expect(Object.keys(facts.ns ?? {})).toHaveLength(10); // `ls -l`'s "total 0" is no namespace
    expect([...(facts.fds?.entries() ?? [])]).toEqual([
      [0, expect.stringMatching(/^pipe:\[\d+\]$/)],
      [1, expect.stringMatching(/^pipe:\[\d+\]$/)],
      [10, '/conform/probe'],
      [2, expect.stringMatching(/^pipe:\[\d+\]$/)],
    ]);
    const root = mountAt(facts.mounts ?? [], '/');
    expect(root?.options).toContain('ro');
    expect(mountAt(facts.mounts ?? [], '/proc')?.fsType).toBe('proc');
    expect(facts.dev?.get('/dev/null')).toMatchObject({ type: 'c', major: 1, minor: 3, mode: 0o666 });
    expect(facts.dev?.get('/dev/ptmx')).toMatchObject({ type: 'l', target: 'pts/ptmx' });
    expect(facts.dev?.get('/dev/pts')?.type).toBe('d');
  });

  it('records a command with its output and exit status', () => {
    expect(facts.cmds.echo).toEqual({ output: 'hello', rc: 3 });
  });
});

describe('splitSections', () => {
  it('ignores what a runtime printed before the banner', () => {
    const s = splitSections('runtime says hi\n@@section meta\nbogus\n@@conform-probe 1\n\n@@section meta\npid=7\n\n@@done\n');
    expect(s.sections.get('meta')).toBe('pid=7');
    expect(s.complete).toBe(true);
  });

  it('reports a probe that never started, and one cut short', () => {
    expect(splitSections('').started).toBe(false);
    const cut = splitSections('@@conform-probe 1\n\n@@section status\nName:\tsh\n');
    expect(cut.started).toBe(true);
    expect(cut.complete).toBe(false);
    expect(cut.sections.get('status')).toBe('Name:\tsh');
  });

  it('sees --hold markers and the trapped signal', () => {
    const s = splitSections('@@conform-probe 1\n\n@@section meta\npid=1\n\n@@ready\n\n@@signal TERM\n');
    expect(s).toMatchObject({ ready: true, complete: true, signal: 'TERM' });
  });

  it('keeps a section whose last line had no newline apart from the next header', () => {
    const s = splitSections('@@conform-probe 1\n\n@@section uts\nhostname=x\n@@section cwd\n/\n\n@@done');
    expect(s.sections.get('uts')).toBe('hostname=x');
    expect(s.sections.get('cwd')).toBe('/');
  });
});

describe('field parsers', () => {
  it('hex dumps and NUL lists, including empty strings', () => {
    expect(splitNul(parseHexDump(' 61 00 00 62 20 63 00\n'))).toEqual(['a', '', 'b c']);
    expect(splitNul(Buffer.alloc(0))).toEqual([]);
  });

  it('status without Umask (kernels before 4.7) leaves it undefined', () => {
    expect(parseStatus('Name:\tsh\nUid:\t0\t0\t0\t0\n').umask).toBeUndefined();
  });

  it('limits with units and unlimited', () => {
    const text =
      'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 4096                 files     \nMax stack size            8388608              unlimited            bytes     \n';
    expect(parseLimits(text)).toEqual({ RLIMIT_NOFILE: { soft: 1024n, hard: 4096n }, RLIMIT_STACK: { soft: 8388608n, hard: 'unlimited' } });
  });

  it('dev entries: block devices, fifos, symlinks with odd names', () => {
    const devs = parseDev("/x/blk|61b0|8|10|1|2|/x/blk\n/x/fifo|11a4|0|0|0|0|/x/fifo\n/dev/l|a1ff|0|0|0|0|'/dev/l' -> 'a|b'\n");
    expect(devs.get('/x/blk')).toMatchObject({ type: 'b', major: 8, minor: 16, mode: 0o660, uid: 1, gid: 2 });
    expect(devs.get('/x/fifo')?.type).toBe('p');
    expect(devs.get('/dev/l')?.target).toBe('a|b');
  });

  it('mountinfo: escapes, optional fields, propagation', () => {
    const [m] = parseMountinfo('36 35 98:0 /mnt1 /mnt\\040x rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue');
    expect(m).toMatchObject({
      id: 36,
      parent: 35,
      root: '/mnt1',
      mountPoint: '/mnt x',
      options: ['rw', 'noatime'],
      optional: ['master:1', 'shared:2'],
      fsType: 'ext3',
      superOptions: ['rw', 'errors=continue'],
    });
    expect(propagation(m!)).toBe('shared+slave');
    expect(propagation({ ...m!, optional: ['unbindable'] })).toBe('unbindable');
    expect(propagation({ ...m!, optional: [] })).toBe('private');
  });
});
