import { describe, expect, it } from 'vitest';
import { KNOWN_MOUNT_OPTIONS, MOUNT_ATTR, MS, parseMountOptions } from '../../runtime/mount/options.js';

describe('parseMountOptions', () => {
  it('turns flag options into mount(2) flags, later options winning', () => {
    const p = parseMountOptions(['nosuid', 'noexec', 'ro', 'rw', 'nodev']);
    expect(p.flags).toBe(MS.NOSUID | MS.NOEXEC | MS.NODEV);
    expect(p.cleared & MS.RDONLY).toBe(MS.RDONLY);
    expect(p.data).toBe('');
  });

  it('passes unknown options as data, in order', () => {
    const p = parseMountOptions(['nosuid', 'mode=755', 'size=65536k', 'newinstance']);
    expect(p.flags).toBe(MS.NOSUID);
    expect(p.data).toBe('mode=755,size=65536k,newinstance');
  });

  it('recognises bind and rbind', () => {
    expect(parseMountOptions(['bind']).bind).toBe(true);
    expect(parseMountOptions(['rbind']).flags).toBe(MS.BIND | MS.REC);
    expect(parseMountOptions(['ro']).bind).toBe(false);
  });

  it('keeps propagation changes apart, in order', () => {
    const p = parseMountOptions(['rprivate', 'shared', 'runbindable']);
    expect(p.propagation).toEqual([MS.PRIVATE | MS.REC, MS.SHARED, MS.UNBINDABLE | MS.REC]);
    expect(p.flags).toBe(0);
  });

  it('collects recursive attributes for mount_setattr', () => {
    const p = parseMountOptions(['rro', 'rnosuid', 'rexec']);
    expect(p.recursive).toEqual({ attrSet: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID, attrClr: MOUNT_ATTR.NOEXEC });
    expect(parseMountOptions(['ro']).recursive).toBeUndefined();
  });

  it('sets the access-time mode as one field', () => {
    const p = parseMountOptions(['rnoatime']);
    expect(p.recursive).toEqual({ attrSet: MOUNT_ATTR.NOATIME, attrClr: MOUNT_ATTR.ATIME_MASK });
    const q = parseMountOptions(['rnoatime', 'rstrictatime']);
    expect(q.recursive?.attrSet).toBe(MOUNT_ATTR.STRICTATIME);
  });

  it('marks tmpcopyup and idmap', () => {
    expect(parseMountOptions(['tmpcopyup']).tmpcopyup).toBe(true);
    expect(parseMountOptions(['ridmap']).idmap).toBe('ridmap');
  });

  it('lists every MUST option of config.md as known', () => {
    const must = [
      'async',
      'atime',
      'bind',
      'defaults',
      'dev',
      'diratime',
      'dirsync',
      'exec',
      'iversion',
      'lazytime',
      'loud',
      'noatime',
      'nodev',
      'nodiratime',
      'noexec',
      'noiversion',
      'nolazytime',
      'norelatime',
      'nostrictatime',
      'nosuid',
      'private',
      'rbind',
      'relatime',
      'remount',
      'ro',
      'rprivate',
      'rshared',
      'rslave',
      'runbindable',
      'rw',
      'shared',
      'silent',
      'slave',
      'strictatime',
      'suid',
      'sync',
      'unbindable',
    ];
    for (const o of must) expect(KNOWN_MOUNT_OPTIONS).toContain(o);
    expect(KNOWN_MOUNT_OPTIONS).toEqual(expect.arrayContaining(['idmap', 'ridmap', 'tmpcopyup']));
  });
});
