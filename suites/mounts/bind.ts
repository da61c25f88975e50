// config.md "Mounts": bind and rbind mounts of host files and directories, a
// source relative to the bundle, and the filesystem type of a non-bind mount.
import { existsSync, readFileSync } from 'node:fs';
import { defineCase } from '../../harness/case/case.js';
import { bind, DEST, expectCmd, expectErrno, expectFlags, listed, mountPath, optionPath, own, probeCreated, visibleMount, withTree } from './common.js';

const readIf = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

const HELLO = 'hello from the host';

export default [
  defineCase({
    id: 'mounts.bind.dir',
    title: 'a bind mount of a host directory shows its files, and what is written inside reaches the host',
    requirements: ['config:mounts.option.bind', 'config:mounts.type.bind-dummy'],
    exercises: [optionPath(0)],
    needs: listed('bind'),
    bundle: (b) => {
      const src = b.hostDir('src');
      b.hostFile('src/hello', `${HELLO}\n`);
      own(b, bind(DEST, src, ['bind'])).probe({ only: ['mountinfo'], cmds: { read: `cat ${DEST}/hello`, write: `echo inside > ${DEST}/new` } });
    },
    async check(t) {
      // A type "none" mount with "bind" is a bind mount: it works only if both are honoured.
      const bound = t.req('config:mounts.option.bind', 'config:mounts.type.bind-dummy');
      const facts = await t.probe();
      visibleMount(bound, facts, DEST);
      expectCmd(bound, facts, 'read', 'reading the host file through the bind mount', HELLO);
      expectCmd(bound, facts, 'write', 'writing a new file through the bind mount');
      bound.equal(readIf(t.bundle.builder.hostPath('src/new')), 'inside\n', 'the file written inside, read on the host');
    },
  }),

  defineCase({
    id: 'mounts.bind.dir-ro',
    title: 'a bind mount with "ro" shows the host files but cannot be written (EROFS), and the host stays unchanged',
    requirements: ['config:mounts.option.bind', 'config:mounts.option.ro'],
    exercises: [optionPath(1)],
    needs: listed('bind', 'ro'),
    bundle: (b) => {
      const src = b.hostDir('src');
      b.hostFile('src/hello', `${HELLO}\n`);
      own(b, bind(DEST, src, ['bind', 'ro'])).probe({ only: ['mountinfo'], cmds: { read: `cat ${DEST}/hello`, write: `echo inside > ${DEST}/new` } });
    },
    async check(t) {
      const bound = t.req('config:mounts.option.bind');
      const ro = t.req('config:mounts.option.ro');
      const facts = await t.probe();
      expectFlags(ro, visibleMount(bound, facts, DEST), DEST, { has: ['ro'] });
      expectCmd(bound, facts, 'read', 'reading the host file through the read-only bind mount', HELLO);
      expectErrno(ro, facts, 'write', 'EROFS', 'writing a new file through the read-only bind mount');
      ro.equal(readIf(t.bundle.builder.hostPath('src/new')), undefined, 'a file written inside, on the host');
    },
  }),

  defineCase({
    id: 'mounts.bind.file',
    title: 'a bind mount of a host file shows its content, and appending inside changes the host file',
    requirements: ['config:mounts.option.bind', 'config:mounts.type.bind-dummy'],
    exercises: [optionPath(0)],
    needs: listed('bind'),
    bundle: (b) => {
      const src = b.hostFile('src.txt', `${HELLO}\n`, 0o666);
      b.file('/conform/f.txt', 'the rootfs file, which the mount hides\n');
      own(b, bind('/conform/f.txt', src, ['bind']), { mkdir: false }).probe({
        only: ['mountinfo'],
        cmds: { read: 'cat /conform/f.txt', append: 'echo inside >> /conform/f.txt' },
      });
    },
    async check(t) {
      const bound = t.req('config:mounts.option.bind', 'config:mounts.type.bind-dummy');
      const facts = await t.probe();
      visibleMount(bound, facts, '/conform/f.txt');
      expectCmd(bound, facts, 'read', 'reading the bound file', HELLO);
      expectCmd(bound, facts, 'append', 'appending to the bound file');
      bound.equal(readIf(t.bundle.builder.hostPath('src.txt')), `${HELLO}\ninside\n`, 'the host file after the container appended to it');
    },
  }),

  defineCase({
    id: 'mounts.bind.file-ro',
    title: 'a bind mount of a host file with "ro" can be read but not written (EROFS)',
    requirements: ['config:mounts.option.bind', 'config:mounts.option.ro'],
    exercises: [optionPath(1)],
    needs: listed('bind', 'ro'),
    bundle: (b) => {
      const src = b.hostFile('src.txt', `${HELLO}\n`, 0o666);
      b.file('/conform/f.txt', '');
      own(b, bind('/conform/f.txt', src, ['bind', 'ro']), { mkdir: false }).probe({
        only: ['mountinfo'],
        cmds: { read: 'cat /conform/f.txt', append: 'echo inside >> /conform/f.txt' },
      });
    },
    async check(t) {
      const bound = t.req('config:mounts.option.bind');
      const ro = t.req('config:mounts.option.ro');
      const facts = await t.probe();
      expectFlags(ro, visibleMount(bound, facts, '/conform/f.txt'), '/conform/f.txt', { has: ['ro'] });
      expectCmd(bound, facts, 'read', 'reading the bound file', HELLO);
      expectErrno(ro, facts, 'append', 'EROFS', 'appending to the read-only bound file');
      ro.equal(readIf(t.bundle.builder.hostPath('src.txt')), `${HELLO}\n`, 'the host file afterwards');
    },
  }),

  defineCase({
    id: 'mounts.bind.no-type',
    title: 'a mount is a bind mount when its options have "bind", also without any `type`',
    requirements: ['config:mounts.option.bind'],
    exercises: [optionPath(0)],
    needs: listed('bind'),
    bundle: (b) => {
      const src = b.hostDir('src');
      b.hostFile('src/hello', `${HELLO}\n`);
      own(b, { destination: DEST, source: src, options: ['bind'] }).probe({ only: ['mountinfo'], cmds: { read: `cat ${DEST}/hello` } });
    },
    async check(t) {
      const facts = await t.probe();
      visibleMount(t, facts, DEST);
      expectCmd(t, facts, 'read', 'reading the host file through the bind mount', HELLO);
    },
  }),

  defineCase({
    id: 'mounts.bind.not-recursive',
    title: '"bind" does not bring the submounts of its source along (mount --bind); the directory under them shows',
    requirements: ['config:mounts.option.bind'],
    exercises: [optionPath(0)],
    needs: listed('bind'),
    bundle: (b) => {
      own(b, bind(DEST, b.hostDir('tree'), ['bind'])).probe({ only: ['mountinfo'], cmds: { top: `cat ${DEST}/marker`, sub: `ls -A ${DEST}/sub` } });
    },
    async check(t) {
      await withTree(t.bundle.builder.hostPath('tree'), {}, async () => {
        const facts = await t.probe();
        visibleMount(t, facts, DEST);
        expectCmd(t, facts, 'top', "the bound directory's own file", 'top');
        t.equal(facts.mounts?.filter((m) => m.mountPoint === `${DEST}/sub`).length, 0, `mounts at ${DEST}/sub (the source's submount must not come along)`);
        expectCmd(t, facts, 'sub', `the content of ${DEST}/sub (the empty directory under the host's submount)`, '');
      });
    },
  }),

  defineCase({
    id: 'mounts.rbind.submount',
    title: '"rbind" brings the submounts of its source along, with their content',
    requirements: ['config:mounts.option.rbind'],
    exercises: [optionPath(0)],
    needs: listed('rbind'),
    bundle: (b) => {
      own(b, bind(DEST, b.hostDir('tree'), ['rbind'])).probe({ only: ['mountinfo'], cmds: { top: `cat ${DEST}/marker`, sub: `cat ${DEST}/sub/marker` } });
    },
    async check(t) {
      await withTree(t.bundle.builder.hostPath('tree'), {}, async () => {
        const facts = await t.probe();
        visibleMount(t, facts, DEST);
        visibleMount(t, facts, `${DEST}/sub`);
        expectCmd(t, facts, 'top', "the bound directory's own file", 'top');
        expectCmd(t, facts, 'sub', 'a file of the submount', 'sub');
      });
    },
  }),

  defineCase({
    id: 'mounts.bind.source-relative',
    title: "a relative bind `source` is taken relative to the bundle directory, not to the caller's working directory",
    requirements: ['config:mounts.source.relative'],
    exercises: [`${mountPath()}.source`],
    needs: listed('bind'),
    bundle: (b) => {
      // The bundle is <case>/bundle and host files live in <case>/files, so
      // "../files/src" from the bundle is <case>/files/src. create runs in
      // <case>/files/cwd, from where the same relative path names a decoy.
      b.hostFile('src/which', 'bundle-relative\n');
      b.hostFile('files/src/which', 'cwd-relative\n');
      b.hostDir('cwd');
      own(b, bind(DEST, '../files/src', ['bind'])).probe({ only: ['mountinfo'], cmds: { which: `cat ${DEST}/which` } });
    },
    async check(t) {
      const r = await t.rt.create(t.id, t.bundle.dir, [], { cwd: t.bundle.builder.hostPath('cwd') });
      if (!r.ok) t.fail(`create with a relative bind source failed: ${r.summary}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
      const facts = await probeCreated(t);
      visibleMount(t, facts, DEST);
      expectCmd(t, facts, 'which', 'the directory that was bound (a file in it says which)', 'bundle-relative');
    },
  }),

  defineCase({
    id: 'mounts.type.tmpfs',
    title: 'a non-bind mount is made with the filesystem `type` given',
    requirements: ['config:mounts.type'],
    exercises: [`${mountPath()}.type`],
    bundle: (b) => {
      own(b, { destination: DEST, type: 'tmpfs', source: 'conform-src', options: [] }).probe({ only: ['mountinfo'] });
    },
    async check(t) {
      const m = visibleMount(t, await t.probe(), DEST);
      t.equal(m.fsType, 'tmpfs', `filesystem type at ${DEST}`);
      // tmpfs ignores its device name; Linux shows it in mountinfo, other kernels may not.
      if (m.source !== 'conform-src') t.note(`mountinfo shows the source of ${DEST} as ${JSON.stringify(m.source)}, not "conform-src"`);
    },
  }),
];
