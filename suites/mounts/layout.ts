// config.md "Mounts": entries are mounted in the listed order, at their
// destination (created when the rootfs lacks it), and a relative destination,
// when accepted, is relative to "/".
//
// The spec has no sentence of its own on a destination the rootfs lacks; it asks that
// entries be mounted ("The runtime MUST mount entries in the listed order") and that
// the environment be created as config.json describes (runtime.md Lifecycle, step 2),
// and its own example config mounts /dev/pts inside a fresh /dev tmpfs, which no image
// can provide. Refusing such a mount, or mounting a file over a directory, leaves an
// entry unmounted; that is what the destination.* cases fail.
import { defineCase } from '../../harness/case/case.js';
import { attempt } from '../support/refuse.js';
import { bind, DEST, expectCmd, expectErrno, listed, mountPath, own, probeCreated, tmpfs, visibleMount } from './common.js';

export default [
  defineCase({
    id: 'mounts.order.later-on-top',
    title: 'two bind mounts on one destination: the later entry is the one visible',
    requirements: ['config:mounts.order'],
    exercises: [mountPath(1)],
    needs: listed('bind'),
    bundle: (b) => {
      b.hostFile('first/marker', 'first\n');
      b.hostFile('second/marker', 'second\n');
      own(b, bind(DEST, b.hostPath('first'), ['bind']));
      own(b, bind(DEST, b.hostPath('second'), ['bind']), { k: 1, mkdir: false }).probe({ only: ['mountinfo'], cmds: { marker: `cat ${DEST}/marker` } });
    },
    async check(t) {
      const facts = await t.probe();
      visibleMount(t, facts, DEST);
      expectCmd(t, facts, 'marker', `the marker file visible at ${DEST} (each source has its own)`, 'second');
    },
  }),

  defineCase({
    id: 'mounts.order.no-sorting',
    title: 'a later mount on a parent directory hides an earlier one below it (entries are not reordered by path)',
    requirements: ['config:mounts.order'],
    exercises: [mountPath(1)],
    needs: listed('bind'),
    bundle: (b) => {
      const src = b.hostDir('src');
      b.hostFile('src/marker', 'earlier\n');
      own(b, bind(`${DEST}/inner`, src, ['bind']));
      own(b, tmpfs(DEST, []), { k: 1, mkdir: false }).probe({ only: ['mountinfo'], cmds: { ls: `ls -A ${DEST}`, marker: `cat ${DEST}/inner/marker` } });
    },
    async check(t) {
      const facts = await t.probe();
      t.equal(visibleMount(t, facts, DEST).fsType, 'tmpfs', `filesystem type visible at ${DEST}`);
      expectCmd(t, facts, 'ls', `the content of ${DEST} (the later, empty tmpfs)`, '');
      expectErrno(t, facts, 'marker', 'ENOENT', `reading ${DEST}/inner/marker (the earlier bind mount, hidden by the later tmpfs)`);
    },
  }),

  defineCase({
    id: 'mounts.order.nested',
    title: 'a mount whose destination lies in an earlier mount is made inside it (its directory created there)',
    requirements: ['config:mounts.order'],
    exercises: [mountPath(0)],
    needs: listed('bind'),
    bundle: (b) => {
      b.hostFile('src/marker', 'inner\n');
      own(b, tmpfs(DEST, []));
      own(b, bind(`${DEST}/inner`, b.hostPath('src'), ['bind']), { k: 1, mkdir: false }).probe({
        only: ['mountinfo'],
        cmds: { marker: `cat ${DEST}/inner/marker` },
      });
    },
    async check(t) {
      const facts = await t.probe();
      const outer = visibleMount(t, facts, DEST);
      const inner = visibleMount(t, facts, `${DEST}/inner`);
      t.equal(outer.fsType, 'tmpfs', `filesystem type at ${DEST}`);
      t.equal(inner.parent, outer.id, `parent of the mount at ${DEST}/inner (the tmpfs at ${DEST})`);
      expectCmd(t, facts, 'marker', `the bound file at ${DEST}/inner`, 'inner');
    },
  }),

  defineCase({
    id: 'mounts.destination.created-dir',
    title: 'a directory destination the rootfs lacks is created, with its missing parents',
    requirements: ['config:mounts.order', 'runtime:lifecycle.create-environment'],
    exercises: [mountPath()],
    bundle: (b) => {
      own(b, tmpfs('/conform/new/deep/dir', []), { mkdir: false }).probe({ only: ['mountinfo'], cmds: { kind: 'stat -c %F /conform/new/deep/dir' } });
    },
    async check(t) {
      const mounted = t.req('config:mounts.order', 'runtime:lifecycle.create-environment');
      const facts = await mounted.probe();
      mounted.equal(visibleMount(mounted, facts, '/conform/new/deep/dir').fsType, 'tmpfs', 'filesystem type at the new destination');
      expectCmd(mounted, facts, 'kind', 'file type of the destination', 'directory');
    },
  }),

  defineCase({
    id: 'mounts.destination.created-file',
    title: 'a file bind mount onto a destination the rootfs lacks gets a file (not a directory) to mount on',
    requirements: ['config:mounts.order', 'config:mounts.option.bind', 'runtime:lifecycle.create-environment'],
    exercises: [mountPath()],
    needs: listed('bind'),
    bundle: (b) => {
      const src = b.hostFile('src.conf', 'bound file\n');
      own(b, bind('/conform/new/file.conf', src, ['bind']), { mkdir: false }).probe({
        only: ['mountinfo'],
        cmds: { kind: 'stat -c %F /conform/new/file.conf', read: 'cat /conform/new/file.conf' },
      });
    },
    async check(t) {
      const mounted = t.req('config:mounts.order', 'config:mounts.option.bind', 'runtime:lifecycle.create-environment');
      const facts = await mounted.probe();
      visibleMount(mounted, facts, '/conform/new/file.conf');
      expectCmd(mounted, facts, 'kind', 'file type at the destination', 'regular file');
      expectCmd(mounted, facts, 'read', 'content at the destination', 'bound file');
    },
  }),

  defineCase({
    id: 'mounts.destination.relative',
    title: 'a relative destination, if accepted (MAY, deprecated), is relative to "/" (not to process.cwd)',
    // Refusing is allowed, but only as an error (config.md#valid-values: "Runtimes MUST
    // generate an error when invalid or unsupported values are encountered"): a crash, a
    // hang or a container left behind is no refusal.
    requirements: ['config:mounts.destination.relative-allowed', 'config:mounts.destination.relative-root', 'config:valid-values.invalid-error'],
    exercises: [mountPath()],
    bundle: (b) => {
      b.mkdir('/conform/rel').mkdir('/tmp/conform/rel').cwd('/tmp');
      own(b, { ...tmpfs('conform/rel', []), source: 'conform-rel' }, { mkdir: false }).probe({ only: ['mountinfo'] });
    },
    async check(t) {
      if ((await attempt(t.req('config:valid-values.invalid-error'), 'a relative mount destination')).by) {
        t.note('the runtime refused a relative mount destination, which the spec allows (relative destinations MAY be accepted)');
        return;
      }
      const facts = await probeCreated(t);
      const root = t.req('config:mounts.destination.relative-root');
      root.equal(visibleMount(root, facts, '/conform/rel').source, 'conform-rel', 'source of the mount at /conform/rel');
      root.equal(
        facts.mounts!.filter((m) => m.source === 'conform-rel').map((m) => m.mountPoint),
        ['/conform/rel'],
        'where the relative destination was mounted',
      );
    },
  }),
];
