// config.md "Linux mount options": options the table does not list are
// filesystem-specific and go, comma-joined, into mount(2)'s data argument (SHOULD).
// tmpfs's own options make that visible: in the superblock options of
// /proc/self/mountinfo and in how the filesystem behaves.
import { defineCase } from '../../harness/case/case.js';
import { DEST, expectCmd, expectErrno, expectFlags, expectTmpfsSize, listed, optionPath, own, tmpfs, visibleMount } from './common.js';

const DATA = 'config:mounts.unknown-options-data';

export default [
  defineCase({
    id: 'mounts.tmpfs.size',
    title: 'tmpfs "size=1m" reaches the filesystem: superblock size 1 MiB, and writing 2 MiB fails with ENOSPC',
    requirements: [DATA],
    exercises: [optionPath(0)],
    bundle: (b) => {
      own(b, tmpfs(DEST, ['size=1m'])).probe({ only: ['mountinfo'], cmds: { fill: `dd if=/dev/zero of=${DEST}/big bs=64k count=32 2>&1 >/dev/null` } });
    },
    async check(t) {
      const facts = await t.probe();
      expectTmpfsSize(t, visibleMount(t, facts, DEST), DEST, 1024 * 1024);
      expectErrno(t, facts, 'fill', 'ENOSPC', 'writing 2 MiB into the 1 MiB tmpfs');
    },
  }),

  defineCase({
    id: 'mounts.tmpfs.mode',
    title: 'tmpfs "mode=1770" reaches the filesystem: its root directory has mode 1770',
    requirements: [DATA],
    exercises: [optionPath(0)],
    bundle: (b) => {
      // No directory in the rootfs: see mounts.tmpfs.mode-over-dir for that.
      own(b, tmpfs(DEST, ['mode=1770']), { mkdir: false }).probe({ only: ['mountinfo'], cmds: { mode: `stat -c %a ${DEST}` } });
    },
    async check(t) {
      const facts = await t.probe();
      expectFlags(t, visibleMount(t, facts, DEST), DEST, { field: 'superOptions', has: ['mode=1770'] });
      expectCmd(t, facts, 'mode', `mode of ${DEST}`, '1770');
    },
  }),

  defineCase({
    id: 'mounts.tmpfs.mode-over-dir',
    title: 'tmpfs "mode=1770" over a rootfs directory of mode 0755: the tmpfs root has mode 1770, as mount(2) makes it',
    requirements: [DATA],
    exercises: [optionPath(0)],
    disputed: 'runc then gives the tmpfs root the mode of the directory it covers (for images whose /tmp is 1777), which the spec neither asks for nor forbids',
    bundle: (b) => {
      own(b, tmpfs(DEST, ['mode=1770']), { mkdir: false })
        .mkdir(DEST, 0o755)
        .probe({ only: ['mountinfo'], cmds: { mode: `stat -c %a ${DEST}` } });
    },
    async check(t) {
      const facts = await t.probe();
      expectFlags(t, visibleMount(t, facts, DEST), DEST, { field: 'superOptions', has: ['mode=1770'] });
      expectCmd(t, facts, 'mode', `mode of ${DEST}`, '1770');
    },
  }),

  defineCase({
    id: 'mounts.tmpfs.uid-gid',
    title: 'tmpfs "uid=1234" and "gid=2345", two entries, both reach the filesystem: they own its root',
    requirements: [DATA],
    // Highest index first: the strip wrapper removes them one after the other.
    exercises: [optionPath(1), optionPath(0)],
    bundle: (b) => {
      own(b, tmpfs(DEST, ['uid=1234', 'gid=2345'])).probe({ only: ['mountinfo'], cmds: { owner: `stat -c %u:%g ${DEST}` } });
    },
    async check(t) {
      const facts = await t.probe();
      expectFlags(t, visibleMount(t, facts, DEST), DEST, { field: 'superOptions', has: ['uid=1234', 'gid=2345'] });
      expectCmd(t, facts, 'owner', `owner of ${DEST}`, '1234:2345');
    },
  }),

  defineCase({
    id: 'mounts.tmpfs.nr-inodes',
    title: 'tmpfs "nr_inodes=8" reaches the filesystem: creating 16 files fails with ENOSPC',
    requirements: [DATA],
    exercises: [optionPath(0)],
    bundle: (b) => {
      own(b, tmpfs(DEST, ['nr_inodes=8'])).probe({
        only: ['mountinfo'],
        cmds: { create: `i=0; while [ $i -lt 16 ]; do : > ${DEST}/f$i || exit 1; i=$((i + 1)); done` },
      });
    },
    async check(t) {
      const facts = await t.probe();
      expectFlags(t, visibleMount(t, facts, DEST), DEST, { field: 'superOptions', has: ['nr_inodes=8'] });
      expectErrno(t, facts, 'create', 'ENOSPC', 'creating 16 files on a tmpfs with 8 inodes');
    },
  }),

  defineCase({
    id: 'mounts.tmpfs.flags-and-data',
    title: 'flags and filesystem data mixed in one list are told apart: nosuid/nodev/noexec as flags, size/mode as data',
    requirements: [DATA, 'config:mounts.option.nosuid', 'config:mounts.option.nodev', 'config:mounts.option.noexec'],
    exercises: [optionPath(3), optionPath(1)],
    needs: listed('nosuid', 'nodev', 'noexec'),
    bundle: (b) => {
      own(b, tmpfs(DEST, ['nosuid', 'size=2m', 'nodev', 'mode=700', 'noexec'])).probe({ only: ['mountinfo'] });
    },
    async check(t) {
      const m = visibleMount(t.req(DATA), await t.probe(), DEST);
      for (const flag of ['nosuid', 'nodev', 'noexec']) expectFlags(t.req(`config:mounts.option.${flag}`), m, DEST, { has: [flag] });
      expectFlags(t.req(DATA), m, DEST, { field: 'superOptions', has: ['size=2048k', 'mode=700'] });
    },
  }),
];
