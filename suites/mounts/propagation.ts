// config.md "Linux mount options": the propagation options of bind mounts
// (shared subtrees), read from the optional fields of /proc/self/mountinfo
// (shared:N, master:N, unbindable). The bind source is a tree of shared host
// mounts, so that every option changes what the mount would otherwise be:
// without an option a runtime's copy is typically a slave of the host's mounts.
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { propagation, type MountEntry } from '../../harness/probe/mountinfo.js';
import { bind, DEST, listed, optionPath, own, visibleMount, withTree } from './common.js';

type Kind = 'private' | 'shared' | 'slave' | 'unbindable';

/** Whether a mount's optional fields say it is `kind`. */
function is(m: MountEntry, kind: Kind): boolean {
  switch (kind) {
    case 'private':
      return propagation(m) === 'private';
    case 'shared':
      return m.optional.some((o) => o.startsWith('shared:'));
    case 'slave':
      return propagation(m) === 'slave';
    case 'unbindable':
      return m.optional.includes('unbindable');
  }
}

function expectKind(t: CaseContext, m: MountEntry, kind: Kind): void {
  t.ok(is(m, kind), `${m.mountPoint} is ${kind} (optional fields of mountinfo)`, { expected: kind, actual: m.optional.join(' ') || '(none: private)' });
}

function propagationCase(option: string, kind: Kind, recursive: boolean, why: string): Case {
  // A slave needs a master: "slave" is tested on a mount made shared first (a peer of
  // the host's tree, or of its own copy), so that ignoring "slave" leaves it shared.
  // The rootfs propagation "slave" keeps the host tree's copy a shared peer or a slave
  // of it, whether a runtime applies it to the rootfs alone or recursively.
  const before = kind === 'slave' ? [recursive ? 'rshared' : 'shared'] : [];
  const options = [recursive ? 'rbind' : 'bind', ...before, option];
  return defineCase({
    id: `mounts.propagation.${option}`,
    title: `"${option}"${before.length ? ` after "${before[0]}"` : ''} on ${recursive ? 'an rbind mount makes it and its submount' : 'a bind mount makes it'} ${kind} (${why})`,
    requirements: [`config:mounts.option.${option}`, recursive ? 'config:mounts.option.rbind' : 'config:mounts.option.bind'],
    exercises: [optionPath(options.length - 1)],
    needs: listed(...options),
    bundle: (b) => {
      if (kind === 'slave') b.rootfsPropagation('slave');
      own(b, bind(DEST, b.hostDir('tree'), options)).probe({ only: ['mountinfo'] });
    },
    async check(t) {
      await withTree(t.bundle.builder.hostPath('tree'), { shared: true }, async () => {
        const bound = t.req(recursive ? 'config:mounts.option.rbind' : 'config:mounts.option.bind');
        const propagates = t.req(`config:mounts.option.${option}`);
        const facts = await t.probe();
        expectKind(propagates, visibleMount(bound, facts, DEST), kind);
        if (recursive) expectKind(propagates, visibleMount(bound, facts, `${DEST}/sub`), kind);
      });
    },
  });
}

export default [
  propagationCase('private', 'private', false, 'no shared: and no master: field'),
  propagationCase('shared', 'shared', false, 'a shared:N field'),
  propagationCase('slave', 'slave', false, 'a master:N field'),
  propagationCase('unbindable', 'unbindable', false, 'the unbindable field'),
  propagationCase('rprivate', 'private', true, 'no shared: and no master: field'),
  propagationCase('rshared', 'shared', true, 'a shared:N field'),
  propagationCase('rslave', 'slave', true, 'a master:N field'),
  propagationCase('runbindable', 'unbindable', true, 'the unbindable field'),
];
