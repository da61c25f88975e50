// The pieces behind runc's extra commands, without root: the freezer's protocol on a
// fake cgroupfs, the stats readers, ps filtering, update's flags, durations, and the
// quiet log channel.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freezerOf } from '../../runtime/cgroups/freezer.js';
import type { CgroupFs } from '../../runtime/cgroups/fs.js';
import { blkioEntries, ioStatEntries, keyValues, readStats, statsJson } from '../../runtime/cgroups/stats.js';
import { parseDuration } from '../../runtime/commands/events.js';
import { filterPsTable } from '../../runtime/commands/ps.js';
import { fromFlags, parseBytes } from '../../runtime/commands/update.js';
import { Logger, isoTime } from '../../runtime/log.js';

/** Files in a map; `onWrite` lets a test play the kernel. */
class MapFs implements CgroupFs {
  readonly writes: Array<[string, string]> = [];
  constructor(
    readonly files: Map<string, string>,
    private readonly onWrite: (path: string, value: string, fs: MapFs) => void = (p, v, fs) => fs.files.set(p, v),
  ) {}
  exists(path: string): boolean {
    return this.files.has(path) || [...this.files.keys()].some((k) => k.startsWith(`${path}/`));
  }
  read(path: string): string {
    const v = this.files.get(path);
    if (v === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return v;
  }
  write(path: string, value: string): void {
    if (!this.files.has(path)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    this.writes.push([path, value]);
    this.onWrite(path, value, this);
  }
  mkdir(): void {}
  rmdir(): void {}
  children(): string[] {
    return [];
  }
  attachDeviceFilter(): void {}
}

const V1 = [{ version: 1 as const, controllers: ['freezer'], dir: '/fz/c' }];
const V2 = [{ version: 2 as const, controllers: [], dir: '/u/c' }];

describe('freezer', () => {
  it('v1: retries FROZEN while the kernel reports FREEZING, then reads frozen', () => {
    let tries = 0;
    const fs = new MapFs(
      new Map([
        ['/fz/c/freezer.state', 'THAWED\n'],
        ['/fz/c/freezer.self_freezing', '0\n'],
      ]),
      (p, v, f) => {
        if (v === 'FROZEN') {
          tries++;
          f.files.set(p, tries < 3 ? 'FREEZING\n' : 'FROZEN\n');
          f.files.set('/fz/c/freezer.self_freezing', '1\n');
        } else f.files.set(p, `${v}\n`);
      },
    );
    const fz = freezerOf(fs, V1)!;
    expect(fz.state()).toBe('thawed');
    fz.freeze();
    expect(tries).toBe(3);
    expect(fz.state()).toBe('frozen');
    fz.thaw();
    expect(fs.writes.at(-1)).toEqual(['/fz/c/freezer.state', 'THAWED']);
  });

  it('v1: a cgroup stuck in FREEZING is thawed again and reported', () => {
    const fs = new MapFs(new Map([['/fz/c/freezer.state', 'THAWED\n']]), (p, v, f) => f.files.set(p, v === 'FROZEN' ? 'FREEZING\n' : `${v}\n`));
    const fz = freezerOf(fs, V1)!;
    expect(() => fz.freeze()).toThrow(/stayed FREEZING/);
    expect(fs.files.get('/fz/c/freezer.state')).toBe('THAWED\n');
    // runc thaws and pauses every 50 tries, to let new processes settle.
    expect(fs.writes.filter(([, v]) => v === 'THAWED').length).toBeGreaterThanOrEqual(20);
  });

  it("v1: FROZEN by an ancestor (self_freezing 0) is not the container's pause", () => {
    const fs = new MapFs(
      new Map([
        ['/fz/c/freezer.state', 'FROZEN\n'],
        ['/fz/c/freezer.self_freezing', '0\n'],
      ]),
    );
    expect(freezerOf(fs, V1)!.state()).toBe('thawed');
  });

  it('v2: writes cgroup.freeze and waits for frozen 1 in cgroup.events', () => {
    let reads = 0;
    const files = new Map([
      ['/u/c/cgroup.freeze', '0\n'],
      ['/u/c/cgroup.events', 'populated 1\nfrozen 0\n'],
    ]);
    const fs = new MapFs(files);
    const read = fs.read.bind(fs);
    fs.read = (p) => {
      if (p.endsWith('cgroup.events') && files.get('/u/c/cgroup.freeze') === '1' && ++reads >= 2) return 'populated 1\nfrozen 1\n';
      return read(p);
    };
    const fz = freezerOf(fs, V2)!;
    expect(fz.state()).toBe('thawed');
    fz.freeze();
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(fz.state()).toBe('frozen');
    fz.thaw();
    expect(fz.state()).toBe('thawed');
  });

  it('prefers the v1 freezer on hybrid hosts, and has none without either', () => {
    const fs = new MapFs(
      new Map([
        ['/fz/c/freezer.state', 'THAWED\n'],
        ['/u/c/cgroup.freeze', '0\n'],
      ]),
    );
    expect(freezerOf(fs, [...V1, ...V2])!.file).toBe('/fz/c/freezer.state');
    expect(freezerOf(new MapFs(new Map()), [...V1, ...V2])).toBeUndefined();
  });
});

describe('stats', () => {
  it('parses v1 blkio lines and leaves out the Total line and zero fields', () => {
    expect(blkioEntries('254:0 Read 4096\n254:0 Write 0\nTotal 4096\n')).toEqual([
      { major: 254n, minor: undefined, op: 'Read', value: 4096n },
      { major: 254n, minor: undefined, op: 'Write', value: undefined },
    ]);
    expect(blkioEntries('8:16 12\n')).toEqual([{ major: 8n, minor: 16n, op: undefined, value: 12n }]);
  });

  it("turns v2 io.stat into runc's byte and op lists", () => {
    const e = ioStatEntries('8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n');
    expect(e.ioServiceBytesRecursive).toEqual([
      { major: 8n, minor: undefined, op: 'Read', value: 100n },
      { major: 8n, minor: undefined, op: 'Write', value: 200n },
    ]);
    expect(e.ioServicedRecursive?.map((x) => x.value)).toEqual([1n, 2n]);
  });

  it('writes uint64 counters exactly', () => {
    expect(statsJson({ a: 18446744073709551615n, b: undefined, c: [1n], d: 'x' })).toBe('{"a":18446744073709551615,"c":[1],"d":"x"}');
    expect(keyValues('cache 5\nbogus\nmax_x max\n')).toEqual({ cache: 5n, max_x: 18446744073709551615n });
  });

  it("reads a v2 cgroup into runc's shape", () => {
    const fs = new MapFs(
      new Map([
        ['/u/c/cpu.stat', 'usage_usec 10\nuser_usec 6\nsystem_usec 4\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n'],
        ['/u/c/memory.current', '4096\n'],
        ['/u/c/memory.max', 'max\n'],
        ['/u/c/memory.stat', 'file 8192\nanon 4096\n'],
        ['/u/c/pids.current', '2\n'],
        ['/u/c/pids.max', 'max\n'],
      ]),
    );
    const s = readStats(fs, [{ ...V2[0]!, mount: '/u' }], 'v2');
    expect(s.cpu.usage).toEqual({ total: 10000n, kernel: 4000n, user: 6000n });
    expect(s.cpu.throttling).toEqual({ periods: undefined, throttledPeriods: undefined, throttledTime: undefined });
    expect(s.memory.usage).toMatchObject({ usage: 4096n, limit: 18446744073709551615n });
    expect(s.memory.cache).toBe(8192n);
    expect(s.pids).toEqual({ current: 2n, limit: undefined });
    expect(JSON.parse(statsJson(s)).network_interfaces).toBeNull();
  });
});

describe('ps', () => {
  it("keeps the header and the lines of the container's pids, by the PID column", () => {
    const out = 'UID   PID  PPID CMD\nroot  1    0    init\nroot  42   1    sleep 1\nroot  420  1    other 42\n';
    expect(filterPsTable(out, [42])).toBe('UID   PID  PPID CMD\nroot  42   1    sleep 1\n');
    expect(() => filterPsTable('USER CMD\nroot x\n', [1])).toThrow(/no PID column/);
  });
});

describe('update flags', () => {
  it("takes runc's flags, with byte suffixes and -1", () => {
    expect(fromFlags({ memory: '100m', memorySwap: '-1', cpuShare: '512', cpuQuota: '-1', pidsLimit: '50', cpusetCpus: '0' })).toEqual({
      memory: { limit: 100 * 1024 * 1024, swap: -1 },
      cpu: { shares: 512, quota: -1, cpus: '0' },
      pids: { limit: 50 },
    });
    expect(parseBytes('1g', '--memory')).toBe(1024 ** 3);
    expect(parseBytes('512', '--memory')).toBe(512);
    expect(() => parseBytes('lots', '--memory')).toThrow(/--memory "lots"/);
    expect(() => fromFlags({ cpuShare: '-5' })).toThrow(/--cpu-share/);
    expect(() => fromFlags({})).toThrow(/nothing to update/);
    expect(() => fromFlags({ l3CacheSchema: 'L3:0=f' })).toThrow(/Intel RDT/);
  });
});

describe('events --interval', () => {
  it('reads Go durations', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('5')).toThrow(/duration/);
    expect(() => parseDuration('0s')).toThrow(/more than zero/);
  });
});

describe('log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conform-rtengines-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes runc's JSON lines (level, msg, time) and its text lines", () => {
    const file = join(dir, 'log.json');
    new Logger(file, 'json').error('container x does not exist');
    new Logger(file, 'json').quiet('skipped names');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'container x does not exist'],
      ['warning', 'skipped names'],
    ]);
    expect(Number.isNaN(Date.parse(lines[0]!.time!))).toBe(false);
    expect(new Logger(undefined, 'text').line('error', 'a "b"', new Date(0))).toBe('time="1970-01-01T00:00:00.000Z" level=error msg="a \\"b\\""\n');
  });

  it('isoTime is toISOString', () => {
    // Years 0-9999 are formatted from the UTC fields; others (and the errors) are toISOString's.
    const times = [0, -1, 1, 999, 253402300799999, 253402300800000, -62167219200000, -62167219200001, 8.64e15, -8.64e15];
    for (let i = 0; i < 2000; i++) times.push(Math.floor((Math.random() - 0.5) * 2 * 8.64e15), Math.floor(Math.random() * 4e12));
    for (const t of times) expect(isoTime(new Date(t)), String(t)).toBe(new Date(t).toISOString());
    expect(() => isoTime(new Date(NaN))).toThrow(RangeError);
    expect(isoTime()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
