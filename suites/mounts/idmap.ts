// config.md "Linux mount options" idmap/ridmap and "POSIX-platform Mounts"
// uidMappings/gidMappings: id-mapped bind mounts (mount_setattr(MOUNT_ATTR_IDMAP),
// Linux 5.12+). Tried only when the runtime's features list the option.
//
// The mapping has the format of user-namespace mappings and is applied the way the
// kernel applies an id-mapped mount's user namespace: an id `containerID + n` on the
// source filesystem shows as `hostID + n` at the destination (runc and crun read it
// so too). With no user namespace in the container, that is what the probe sees.
import { chownSync } from 'node:fs';
import { defineCase } from '../../harness/case/case.js';
import type { IDMapping } from '../../schemas/config.js';
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { attempt, refusalIsAbout } from '../support/refuse.js';
import { bind, DEST, expectCmd, expectFlags, listed, mountPath, optionPath, own, probeCreated, visibleMount, withTree } from './common.js';

const UIDS: IDMapping[] = [{ containerID: 0, hostID: 100000, size: 65536 }];
const GIDS: IDMapping[] = [{ containerID: 0, hostID: 200000, size: 65536 }];
const OWNER = (f: string) => `stat -c %u:%g ${f}`;

type Option = 'idmap' | 'ridmap';
const bindOf = (option: Option) => (option === 'idmap' ? 'bind' : 'rbind');
/** A user namespace and a bind mount with `options` (the case's, or its control's without the id-mapping option). */
function fallbackBundle(b: BundleBuilder, options: string[]): void {
  b.namespace('user').idMappings(UIDS, GIDS);
  const src = b.hostDir('src');
  b.hostFile('src/root-owned', 'x\n');
  own(b, bind(DEST, src, options)).probe({ only: ['mountinfo'], cmds: { root: OWNER(`${DEST}/root-owned`) } });
}

const needsFor = (option: Option) => ['kernel:5.12', ...listed(bindOf(option), option), 'feature:linux.mountExtensions.idmap.enabled'];

export default [
  defineCase({
    id: 'mounts.idmap.mapped',
    title: '"idmap" with uidMappings/gidMappings: files of the source show with the mapped owners, and the mount is idmapped',
    requirements: [
      'config:mounts.option.idmap',
      'config:mounts.idmap.applied',
      'config:mounts.idmap.use-mappings',
      'config:mounts.idmap.mount-setattr',
      'config:mounts.id-mappings.mount-setattr',
      'features-linux:mount-extensions.idmap',
    ],
    exercises: [`${mountPath()}.uidMappings`, `${mountPath()}.gidMappings`],
    needs: needsFor('idmap'),
    bundle: (b) => {
      const src = b.hostDir('src');
      b.hostFile('src/root-owned', 'x\n');
      b.hostFile('src/user-owned', 'x\n');
      own(b, { ...bind(DEST, src, ['bind', 'idmap']), uidMappings: UIDS, gidMappings: GIDS }).probe({
        only: ['mountinfo'],
        cmds: { root: OWNER(`${DEST}/root-owned`), user: OWNER(`${DEST}/user-owned`) },
      });
    },
    async check(t) {
      chownSync(t.bundle.builder.hostPath('src/user-owned'), 1000, 1001);
      const applied = t.req('config:mounts.idmap.applied');
      // features says idmap.enabled, which it may only when mount mappings are parsed and used.
      const used = t.req('config:mounts.idmap.use-mappings', 'features-linux:mount-extensions.idmap');
      const facts = await t.probe();
      expectFlags(applied, visibleMount(applied, facts, DEST), DEST, { has: ['idmapped'] });
      expectCmd(used, facts, 'root', 'owner of a file the host has as 0:0', '100000:200000');
      expectCmd(used, facts, 'user', 'owner of a file the host has as 1000:1001', '101000:201001');
    },
  }),

  defineCase({
    id: 'mounts.ridmap.mapped',
    title: '"ridmap" with uidMappings/gidMappings on an rbind mount: the mount and its submount are idmapped',
    requirements: ['config:mounts.option.ridmap', 'config:mounts.ridmap.applied', 'config:mounts.ridmap.use-mappings', 'config:mounts.ridmap.mount-setattr'],
    exercises: [`${mountPath()}.uidMappings`, `${mountPath()}.gidMappings`],
    needs: needsFor('ridmap'),
    bundle: (b) => {
      own(b, { ...bind(DEST, b.hostDir('tree'), ['rbind', 'ridmap']), uidMappings: UIDS, gidMappings: GIDS }).probe({
        only: ['mountinfo'],
        cmds: { top: OWNER(`${DEST}/marker`), sub: OWNER(`${DEST}/sub/marker`) },
      });
    },
    async check(t) {
      await withTree(t.bundle.builder.hostPath('tree'), {}, async () => {
        const applied = t.req('config:mounts.ridmap.applied');
        const used = t.req('config:mounts.ridmap.use-mappings');
        const facts = await t.probe();
        expectFlags(applied, visibleMount(applied, facts, DEST), DEST, { has: ['idmapped'] });
        expectFlags(applied, visibleMount(applied, facts, `${DEST}/sub`), `${DEST}/sub`, { has: ['idmapped'] });
        expectCmd(used, facts, 'top', 'owner of a root-owned file of the mount', '100000:200000');
        expectCmd(used, facts, 'sub', 'owner of a root-owned file of the submount', '100000:200000');
      });
    },
  }),

  defineCase({
    id: 'mounts.idmap.mapped-in-userns',
    title: '"idmap" with mount mappings in a container with a user namespace: the mount\'s mappings are used, not the container\'s',
    requirements: ['config:mounts.idmap.use-mappings', 'config:mounts.idmap.applied'],
    exercises: [`${mountPath()}.uidMappings`, `${mountPath()}.gidMappings`],
    needs: [...needsFor('idmap'), 'ns:user', 'feature:linux.namespaces=user'],
    bundle: (b) => {
      // The container maps its 0-65535 to host 100000-165535. The mount maps the source's
      // 0 to host 101000 (gid: 201000), which is 1000 inside. Without the mount's mapping
      // a root-owned file would be unmapped inside (65534); with the container's, 0.
      b.namespace('user').idMappings(UIDS, GIDS);
      const src = b.hostDir('src');
      b.hostFile('src/root-owned', 'x\n');
      own(b, {
        ...bind(DEST, src, ['bind', 'idmap']),
        uidMappings: [{ containerID: 0, hostID: 101000, size: 1000 }],
        gidMappings: [{ containerID: 0, hostID: 201000, size: 1000 }],
      }).probe({ only: ['mountinfo'], cmds: { root: OWNER(`${DEST}/root-owned`) } });
    },
    async check(t) {
      const applied = t.req('config:mounts.idmap.applied');
      const facts = await t.probe();
      expectFlags(applied, visibleMount(applied, facts, DEST), DEST, { has: ['idmapped'] });
      expectCmd(
        t.req('config:mounts.idmap.use-mappings'),
        facts,
        'root',
        'owner inside of a file the host has as 0:0 (the mount maps it to 101000:201000, the container that to 1000:1000)',
        '1000:1000',
      );
    },
  }),

  ...(['idmap', 'ridmap'] as const).map((option) =>
    defineCase({
      id: `mounts.${option}.no-mapping-no-userns`,
      title: `"${option}" without uidMappings/gidMappings in a container without a user namespace is an error`,
      requirements: [`config:mounts.${option}.no-userns-error`],
      exercises: ['op:create'],
      needs: needsFor(option),
      invalid: true,
      bundle: (b) => {
        own(b, bind(DEST, b.hostDir('src'), [bindOf(option), option]));
      },
      async check(t) {
        t.expectError(await t.rt.create(t.id, t.bundle.dir), `create with "${option}", no mappings and no user namespace`);
      },
    }),
  ),

  ...(['idmap', 'ridmap'] as const).map((option) =>
    defineCase({
      id: `mounts.${option}.userns-fallback`,
      title: `"${option}" without mount mappings in a user namespace: the container's mapping is used (MAY), or create fails`,
      requirements: [`config:mounts.${option}.userns-fallback`, `config:mounts.${option}.no-mapping-error`],
      exercises: [optionPath(1)],
      needs: [...needsFor(option), 'ns:user', 'feature:linux.namespaces=user'],
      bundle: (b) => fallbackBundle(b, [bindOf(option), option]),
      async check(t) {
        // "the runtime MAY use the container's user namespace mapping, otherwise an error
        // MUST be returned": a refusal must be a clean error (not a crash, a hang, or a
        // container left behind), and an acceptance must be the fallback, done.
        const error = t.req(`config:mounts.${option}.no-mapping-error`);
        if ((await attempt(error, `"${option}" without mount mappings`)).by) {
          await refusalIsAbout(error, await t.newBundle((b) => fallbackBundle(b, [bindOf(option)])), `"${option}"`);
          t.note(`the runtime refused "${option}" without mount mappings; the spec allows that (MAY use the user namespace mapping, otherwise an error)`);
          return;
        }
        const fallback = t.req(`config:mounts.${option}.userns-fallback`, `config:mounts.${option}.no-mapping-error`);
        const facts = await probeCreated(t);
        expectFlags(fallback, visibleMount(fallback, facts, DEST), DEST, { has: ['idmapped'] });
        // Through the container's own mapping, a file root owns on the host is root's inside.
        expectCmd(fallback, facts, 'root', 'owner (inside the user namespace) of a file the host has as 0:0', '0:0');
      },
    }),
  ),
];
