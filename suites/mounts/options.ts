// config.md "Linux mount options": each option of the table that is not about
// propagation or recursion, on a tmpfs of its own (or a bind mount where only a
// host source can show the effect). Each case checks the flag in
// /proc/self/mountinfo and, where it is cheap, its effect.
//
// An option that clears a flag (rw, suid, exec, atime…) is tested after the option
// that sets it, as in "ro,rw": mount(8) applies options in order, so the later one
// wins, and a runtime that ignores it is left with the flag set.
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import type { ProbeFacts } from '../../harness/probe/parse.js';
import {
  bind,
  DEST,
  expectCmd,
  expectErrno,
  expectFlags,
  expectTmpfsSize,
  listed,
  mountPath,
  optionPath,
  own,
  probeCreated,
  tmpfs,
  visibleMount,
  withTree,
  type FlagExpectation,
  type TreeOptions,
} from './common.js';

/** Shell snippets for the effects, run by the probe inside the container. */
const WRITE = `echo x > ${DEST}/written`;
const EXEC = `printf '#!/bin/sh\\necho ran\\n' > ${DEST}/run && chmod 755 ${DEST}/run && ${DEST}/run`;
/** Prints "updated" when reading a file whose atime is old moves its atime (relatime and strictatime both do). */
const FILE_ATIME = `f=${DEST}/a; echo x > $f; touch -d '2001-01-01 00:00:00' $f; a=$(stat -c %X $f); cat $f >/dev/null; [ "$(stat -c %X $f)" != "$a" ] && echo updated || echo kept`;
const DIR_ATIME = `d=${DEST}/d; mkdir $d; touch -d '2001-01-01 00:00:00' $d; a=$(stat -c %X $d); ls $d >/dev/null; [ "$(stat -c %X $d)" != "$a" ] && echo updated || echo kept`;
const SYMLINK = `ln -s /conform/probe ${DEST}/link && head -c 0 ${DEST}/link`;

interface Effect {
  cmd: string;
  /** The errno the command must fail with, or the output it must print. */
  errno?: string;
  output?: string;
  what: string;
}

interface OptionCase {
  option: string;
  title: string;
  /** The mount's options; the one under test is its last occurrence. */
  options: string[];
  expect: FlagExpectation;
  effect?: Effect;
  /** Bind-mount a host tree (common.hostTree) with these flags, after "bind", instead of a fresh tmpfs. */
  tree?: TreeOptions;
  needs?: string[];
}

function optionCase(o: OptionCase): Case {
  const options = o.tree ? ['bind', ...o.options] : o.options;
  const at = options.lastIndexOf(o.option);
  return defineCase({
    id: `mounts.option.${o.option}`,
    title: o.title,
    requirements: [`config:mounts.option.${o.option}`],
    exercises: [optionPath(at)],
    needs: [...(o.needs ?? []), ...listed(...new Set(options))],
    bundle: (b) => {
      const m = o.tree ? bind(DEST, b.hostDir('tree'), options) : tmpfs(DEST, options);
      own(b, m).probe({ only: ['mountinfo'], cmds: o.effect ? { effect: o.effect.cmd } : {} });
    },
    async check(t) {
      const run = async () => {
        const facts = await t.probe();
        expectFlags(t, visibleMount(t, facts, DEST), DEST, o.expect);
        if (o.effect) checkEffect(t, facts, o.effect);
      };
      if (o.tree) await withTree(t.bundle.builder.hostPath('tree'), o.tree, run);
      else await run();
    },
  });
}

function checkEffect(t: CaseContext, facts: ProbeFacts, e: Effect): void {
  if (e.errno) expectErrno(t, facts, 'effect', e.errno, e.what);
  else expectCmd(t, facts, 'effect', e.what, e.output);
}

/**
 * An option whose effect nothing in a container can observe: the case checks that
 * the runtime accepts it (the mount is made), then skips with the reason.
 */
function unobservable(option: string, options: string[], reason: string): Case {
  return defineCase({
    id: `mounts.option.${option}`,
    title: `"${option}" is accepted (its effect cannot be observed: ${reason})`,
    requirements: [`config:mounts.option.${option}`],
    exercises: [optionPath(options.lastIndexOf(option))],
    needs: listed(...new Set(options)),
    bundle: (b) => {
      own(b, tmpfs(DEST, options)).probe({ only: ['mountinfo'] });
    },
    async check(t) {
      visibleMount(t, await t.probe(), DEST);
      t.skip(`the mount with "${option}" was made, but its effect cannot be observed: ${reason}`);
    },
  });
}

/**
 * A MAY option (mand, nomand): a runtime may refuse it, unless its features list it
 * (then it MUST recognise it); once accepted it must do what mount(8) says.
 */
function mayOption(o: OptionCase): Case {
  return defineCase({
    id: `mounts.option.${o.option}`,
    title: o.title,
    requirements: [`config:mounts.option.${o.option}`, 'features:mount-options.recognized'],
    exercises: [optionPath(o.options.lastIndexOf(o.option))],
    needs: listed(...new Set(o.options)),
    bundle: (b: BundleBuilder) => {
      own(b, tmpfs(DEST, o.options)).probe({ only: ['mountinfo'] });
    },
    async check(t) {
      const r = await t.rt.create(t.id, t.bundle.dir);
      if (!r.ok) {
        if (t.env.runtime.features?.mountOptions?.includes(o.option))
          t.req('features:mount-options.recognized').fail(`create failed with "${o.option}", which the runtime's features lists in mountOptions: ${r.summary}`);
        t.skip(`the runtime does not support "${o.option}" (a MAY option of the table): create failed`);
      }
      const option = t.req(`config:mounts.option.${o.option}`);
      expectFlags(option, visibleMount(option, await probeCreated(t), DEST), DEST, o.expect);
    },
  });
}

const SB = 'superOptions' as const;

export default [
  optionCase({
    option: 'ro',
    title: '"ro": the mount is read-only (mountinfo "ro", writing fails with EROFS)',
    options: ['ro'],
    expect: { has: ['ro'] },
    effect: { cmd: WRITE, errno: 'EROFS', what: 'writing a file' },
  }),
  optionCase({
    option: 'rw',
    title: '"rw" after "ro": the mount is writable',
    options: ['ro', 'rw'],
    expect: { has: ['rw'], lacks: ['ro'] },
    effect: { cmd: WRITE, what: 'writing a file' },
  }),
  optionCase({ option: 'nosuid', title: '"nosuid": mountinfo shows nosuid', options: ['nosuid'], expect: { has: ['nosuid'] } }),
  optionCase({
    option: 'suid',
    title: '"suid" after "nosuid": the mount honours set-user-ID bits again',
    options: ['nosuid', 'suid'],
    expect: { lacks: ['nosuid'] },
  }),
  optionCase({
    option: 'nodev',
    title: '"nodev": a device node on the mount cannot be opened (EACCES)',
    options: ['nodev'],
    tree: {},
    expect: { has: ['nodev'] },
    effect: { cmd: `head -c 1 ${DEST}/null`, errno: 'EACCES', what: `opening the device node ${DEST}/null` },
  }),
  optionCase({
    option: 'dev',
    title: '"dev" after "nodev": a device node on the mount can be opened',
    options: ['nodev', 'dev'],
    tree: {},
    expect: { lacks: ['nodev'] },
    effect: { cmd: `head -c 1 ${DEST}/null`, output: '', what: `opening the device node ${DEST}/null` },
  }),
  optionCase({
    option: 'noexec',
    title: '"noexec": a script on the mount cannot be run (EACCES)',
    options: ['noexec'],
    expect: { has: ['noexec'] },
    effect: { cmd: EXEC, errno: 'EACCES', what: 'running a script on the mount' },
  }),
  optionCase({
    option: 'exec',
    title: '"exec" after "noexec": a script on the mount runs',
    options: ['noexec', 'exec'],
    expect: { lacks: ['noexec'] },
    effect: { cmd: EXEC, output: 'ran', what: 'running a script on the mount' },
  }),
  optionCase({
    option: 'noatime',
    title: '"noatime": reading a file leaves its access time alone',
    options: ['noatime'],
    expect: { has: ['noatime'] },
    effect: { cmd: FILE_ATIME, output: 'kept', what: 'atime of a file with an old atime, after reading it' },
  }),
  optionCase({
    option: 'atime',
    title: '"atime" after "noatime": reading a file with an old atime updates it',
    options: ['noatime', 'atime'],
    expect: { lacks: ['noatime'] },
    effect: { cmd: FILE_ATIME, output: 'updated', what: 'atime of a file with an old atime, after reading it' },
  }),
  optionCase({
    option: 'nodiratime',
    title: '"nodiratime": listing a directory leaves its access time alone',
    options: ['nodiratime'],
    expect: { has: ['nodiratime'] },
    effect: { cmd: DIR_ATIME, output: 'kept', what: 'atime of a directory with an old atime, after listing it' },
  }),
  optionCase({
    option: 'diratime',
    title: '"diratime" after "nodiratime": listing a directory with an old atime updates it',
    options: ['nodiratime', 'diratime'],
    expect: { lacks: ['nodiratime'] },
    effect: { cmd: DIR_ATIME, output: 'updated', what: 'atime of a directory with an old atime, after listing it' },
  }),
  optionCase({
    option: 'strictatime',
    title: '"strictatime": the mount has neither relatime nor noatime',
    options: ['strictatime'],
    expect: { lacks: ['relatime', 'noatime'] },
  }),
  optionCase({
    option: 'nostrictatime',
    title: '"nostrictatime" after "strictatime": the kernel\'s default, relatime, applies',
    options: ['strictatime', 'nostrictatime'],
    expect: { has: ['relatime'] },
  }),
  // A new mount is relatime unless told otherwise, so "relatime" only shows where it
  // changes something: on a bind of a strictatime host mount (a bind copies its flags).
  optionCase({
    option: 'relatime',
    title: '"relatime" on a bind of a strictatime mount: the mount becomes relatime',
    options: ['relatime'],
    tree: { opts: 'strictatime' },
    expect: { has: ['relatime'] },
  }),
  optionCase({
    option: 'sync',
    title: '"sync": the filesystem is mounted synchronous (superblock option sync)',
    options: ['sync'],
    expect: { field: SB, has: ['sync'] },
  }),
  optionCase({
    option: 'async',
    title: '"async" after "sync": the filesystem is not synchronous',
    options: ['sync', 'async'],
    expect: { field: SB, lacks: ['sync'] },
  }),
  optionCase({
    option: 'dirsync',
    title: '"dirsync": directory updates are synchronous (superblock option dirsync)',
    options: ['dirsync'],
    expect: { field: SB, has: ['dirsync'] },
  }),
  optionCase({ option: 'lazytime', title: '"lazytime": superblock option lazytime', options: ['lazytime'], expect: { field: SB, has: ['lazytime'] } }),
  optionCase({
    option: 'nolazytime',
    title: '"nolazytime" after "lazytime": no lazytime',
    options: ['lazytime', 'nolazytime'],
    expect: { field: SB, lacks: ['lazytime'] },
  }),
  optionCase({
    option: 'nosymfollow',
    title: '"nosymfollow": symlinks on the mount are not followed (ELOOP)',
    options: ['nosymfollow'],
    needs: ['kernel:5.10'],
    expect: { has: ['nosymfollow'] },
    effect: { cmd: SYMLINK, errno: 'ELOOP', what: 'reading through a symlink on the mount' },
  }),
  optionCase({
    option: 'symfollow',
    title: '"symfollow" after "nosymfollow": symlinks on the mount are followed',
    options: ['nosymfollow', 'symfollow'],
    needs: ['kernel:5.10'],
    expect: { lacks: ['nosymfollow'] },
    effect: { cmd: SYMLINK, output: '', what: 'reading through a symlink on the mount' },
  }),

  defineCase({
    id: 'mounts.option.defaults',
    title: '"defaults" is accepted as an option, not handed to the filesystem: the mount is rw, suid, dev, exec, async',
    requirements: ['config:mounts.option.defaults'],
    // Removing "defaults" leaves the same flags: what the case can catch is a runtime
    // that does not know it (and passes it to tmpfs, which refuses it) or drops the mount.
    exercises: [mountPath()],
    needs: listed('defaults'),
    bundle: (b) => {
      own(b, tmpfs(DEST, ['defaults'])).probe({ only: ['mountinfo'] });
    },
    async check(t) {
      const m = visibleMount(t, await t.probe(), DEST);
      expectFlags(t, m, DEST, { has: ['rw'], lacks: ['ro', 'nosuid', 'nodev', 'noexec'] });
      expectFlags(t, m, DEST, { field: SB, lacks: ['sync', 'defaults'] });
    },
  }),

  defineCase({
    id: 'mounts.option.remount',
    title: '"remount" changes the mount already at the destination (now read-only) instead of stacking a new one',
    requirements: ['config:mounts.option.remount', 'config:mounts.order'],
    exercises: [optionPath(0, 1)],
    needs: listed('remount', 'ro'),
    bundle: (b) => {
      own(b, tmpfs(DEST, ['size=1m']));
      own(b, tmpfs(DEST, ['remount', 'ro']), { k: 1, mkdir: false }).probe({ only: ['mountinfo'], cmds: { effect: WRITE } });
    },
    async check(t) {
      // "remount" acts on the entry mounted before it: the listed order makes it work.
      const remount = t.req('config:mounts.option.remount', 'config:mounts.order');
      const facts = await t.probe();
      const m = visibleMount(remount, facts, DEST);
      remount.equal(facts.mounts!.filter((e) => e.mountPoint === DEST).length, 1, `mounts at ${DEST} (the remount must not add one)`);
      remount.ok(m.options.includes('ro') || m.superOptions.includes('ro'), `${DEST} is read-only after the remount`, {
        expected: 'ro',
        actual: `${m.options.join(',')} - ${m.superOptions.join(',')}`,
      });
      expectTmpfsSize(remount, m, DEST, 1024 * 1024); // the tmpfs mounted first, not a new one
      expectErrno(remount, facts, 'effect', 'EROFS', 'writing a file after the remount');
    },
  }),

  unobservable('iversion', ['iversion'], 'mountinfo does not report i_version, and no system call shows inode versions to a process'),
  unobservable('noiversion', ['iversion', 'noiversion'], 'mountinfo does not report i_version, and no system call shows inode versions to a process'),
  unobservable('silent', ['silent'], 'MS_SILENT only quiets kernel log messages of the mount call, and mountinfo does not report it'),
  unobservable('loud', ['silent', 'loud'], 'MS_SILENT only quiets kernel log messages of the mount call, and mountinfo does not report it'),
  unobservable('norelatime', ['norelatime'], 'without MS_RELATIME the kernel still applies relatime, its default for new mounts since Linux 2.6.30'),

  mayOption({ option: 'mand', title: '"mand" (MAY): if accepted, the superblock has mand', options: ['mand'], expect: { field: SB, has: ['mand'] } }),
  mayOption({
    option: 'nomand',
    title: '"nomand" (MAY) after "mand": if accepted, the superblock has no mand',
    options: ['mand', 'nomand'],
    expect: { field: SB, lacks: ['mand'] },
  }),

  defineCase({
    id: 'mounts.option.tmpcopyup',
    title: '"tmpcopyup" (MAY): a tmpfs mounted over a rootfs directory starts with a copy of its files',
    requirements: ['config:mounts.option.tmpcopyup', 'features:mount-options.recognized'],
    exercises: [optionPath(0)],
    needs: listed('tmpcopyup'),
    bundle: (b) => {
      b.file(`${DEST}/seed`, 'from the rootfs\n');
      own(b, tmpfs(DEST, ['tmpcopyup'])).probe({ only: ['mountinfo'], cmds: { seed: `cat ${DEST}/seed` } });
    },
    async check(t) {
      const r = await t.rt.create(t.id, t.bundle.dir);
      if (!r.ok) {
        if (t.env.runtime.features?.mountOptions?.includes('tmpcopyup'))
          t.req('features:mount-options.recognized').fail(`create failed with "tmpcopyup", which the runtime's features lists in mountOptions: ${r.summary}`);
        t.skip('the runtime does not support "tmpcopyup" (a MAY option of the table): create failed');
      }
      const copyup = t.req('config:mounts.option.tmpcopyup');
      const facts = await probeCreated(t);
      copyup.equal(visibleMount(copyup, facts, DEST).fsType, 'tmpfs', `filesystem type at ${DEST}`);
      expectCmd(copyup, facts, 'seed', 'the rootfs file, copied up into the tmpfs', 'from the rootfs');
    },
  }),
];
