// config-linux.md "Masked Paths" and "Readonly Paths": what the process can read
// and write at those paths (and next to them), from inside.
import type { BundleBuilder } from '../harness/case/bundle.js';
import { DEFAULT_CAPS } from '../harness/case/bundle.js';
import { defineCase } from '../harness/case/case.js';
import type { CaseContext } from '../harness/case/context.js';
import { parseProbe, type ProbeFacts } from '../harness/probe/parse.js';
import { errnosIn } from '../linux/errno.js';

const SECRET = 'conform-secret-6f1d';
const WITH_SYS_ADMIN = [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'];

const cmd = (facts: ProbeFacts, name: string) => facts.cmds[name] ?? { output: '(the probe did not run it)', rc: -1 };

/** Nothing of the original comes through: an empty read, or a read that fails. */
function unreadable(t: CaseContext, r: { output: string; rc: number }, what: string): void {
  t.ok(!r.output.includes(SECRET), `${what} yields nothing of the original content`, { actual: `rc ${r.rc}: ${r.output}` });
}

function rofs(t: CaseContext, r: { output: string; rc: number }, what: string): void {
  t.ok(r.rc !== 0 && errnosIn(r.output).includes('EROFS'), `${what} fails with EROFS`, {
    expected: 'EROFS (Read-only file system)',
    actual: `rc ${r.rc}: ${r.output}`,
  });
}

function works(t: CaseContext, r: { output: string; rc: number }, what: string): void {
  t.equal(r.rc, 0, `${what} succeeds (${r.output || 'no output'})`);
}

/** A path the spec says nothing about when it does not exist: record what the runtime did. */
function missingCase(kind: 'masked' | 'readonly') {
  const path = `/conform-no-such-${kind}-path`;
  return defineCase({
    id: `paths.${kind}.missing`,
    title: `a ${kind} path that does not exist in the container`,
    requirements: [`config-linux:${kind}-paths.applied`],
    disputed: `config-linux.md does not say what a runtime does with a ${kind} path that does not exist: runc skips it silently, an error would be as defensible`,
    bundle: (b) => {
      b.probe({ only: ['meta'], cmds: { exists: `ls -ld ${path}` } });
      if (kind === 'masked') b.maskedPaths([path]);
      else b.readonlyPaths([path]);
    },
    async check(t) {
      const r = await t.rt.create(t.id, t.bundle.dir);
      if (!r.ok) {
        t.note(`create failed (${r.summary}) for a ${kind} path that does not exist`);
        t.ok(false, `create with a ${kind} path that does not exist failed`);
        return;
      }
      await t.start();
      const exists = cmd(parseProbe(await t.waitOutput('@@done')), 'exists');
      t.note(`create succeeded; inside, ${path} ${exists.rc === 0 ? `exists (${exists.output.trim()})` : 'does not exist'}`);
    },
  });
}

function relativeCase(kind: 'masked' | 'readonly') {
  return defineCase({
    id: `paths.${kind}.relative`,
    title: `a relative ${kind} path is an error`,
    requirements: [`config-linux:${kind}-paths.absolute`, 'config:valid-values.invalid-error'],
    exercises: [`linux.${kind}Paths`],
    invalid: true,
    bundle: (b) => {
      b.file('/etc/conform-file', `${SECRET}\n`);
      b.probe({ only: ['meta'] });
      if (kind === 'masked') b.maskedPaths(['etc/conform-file']);
      else b.readonlyPaths(['etc/conform-file']);
    },
    async check(t) {
      t.req(`config-linux:${kind}-paths.absolute`, 'config:valid-values.invalid-error').expectError(
        await t.rt.create(t.id, t.bundle.dir),
        `create with ${kind}Paths ["etc/conform-file"]`,
      );
    },
  });
}

const maskedBundle = (edit: (b: BundleBuilder) => void, cmds: Record<string, string>) => (b: BundleBuilder) => {
  edit(b);
  b.probe({ only: ['meta'], cmds });
};

/**
 * Skips unless `shell` (which reads a kernel file or directory that the case masks)
 * prints `wanted` in a container of the same runtime with no masked paths: the container's
 * /proc and /sys are the runtime's (a sandbox has its own), not the host's.
 */
async function needsInContainer(t: CaseContext, path: string, shell: string, wanted: (out: string) => boolean): Promise<void> {
  const control = await t.newBundle((b) => b.maskedPaths([]).probe({ only: ['meta'], cmds: { control: shell } }));
  const out = cmd(await t.probe({ id: t.newId(), bundle: control }), 'control').output.trim();
  if (!wanted(out))
    t.skip(
      `needs ${path} with something in it in the container (unmasked, \`${shell}\` gives ${JSON.stringify(out)}): this runtime's container has none to mask`,
    );
}

export default [
  defineCase({
    id: 'paths.masked.file',
    title: 'a masked file cannot be read; the file next to it can',
    requirements: ['config-linux:masked-paths.applied', 'config-linux:masked-paths.absolute'],
    exercises: ['linux.maskedPaths'],
    bundle: maskedBundle((b) => b.file('/etc/conform-masked', `${SECRET}\n`).file('/etc/conform-plain', 'plain\n').maskedPaths(['/etc/conform-masked']), {
      read: 'cat /etc/conform-masked',
      sibling: 'cat /etc/conform-plain',
    }),
    async check(t) {
      const masked = t.req('config-linux:masked-paths.applied');
      const facts = await t.probe();
      unreadable(masked, cmd(facts, 'read'), 'reading the masked file');
      masked.equal(cmd(facts, 'sibling').output.trim(), 'plain', 'the unmasked file next to it');
    },
  }),

  defineCase({
    id: 'paths.masked.directory',
    title: 'a masked directory shows nothing of what it holds',
    requirements: ['config-linux:masked-paths.applied'],
    exercises: ['linux.maskedPaths'],
    bundle: maskedBundle(
      (b) => b.file('/srv/conform-masked/inner', `${SECRET}\n`).file('/srv/conform-plain/inner', 'plain\n').maskedPaths(['/srv/conform-masked']),
      { list: 'ls -A /srv/conform-masked', read: 'cat /srv/conform-masked/inner', sibling: 'cat /srv/conform-plain/inner' },
    ),
    async check(t) {
      const facts = await t.probe();
      t.ok(!cmd(facts, 'list').output.split(/\s+/).includes('inner'), 'the masked directory does not list its file', { actual: cmd(facts, 'list').output });
      unreadable(t, cmd(facts, 'read'), 'reading a file inside the masked directory');
      t.equal(cmd(facts, 'sibling').output.trim(), 'plain', 'a file in the unmasked directory next to it');
    },
  }),

  defineCase({
    id: 'paths.masked.proc-file',
    title: 'a masked /proc file (/proc/timer_list) reads as nothing',
    requirements: ['config-linux:masked-paths.applied'],
    exercises: ['linux.maskedPaths'],
    bundle: maskedBundle((b) => b.maskedPaths(['/proc/timer_list']), {
      read: 'head -c 64 /proc/timer_list | wc -c',
      plain: 'head -c 64 /proc/self/status | wc -c',
    }),
    async check(t) {
      await needsInContainer(t, '/proc/timer_list', 'head -c 64 /proc/timer_list | wc -c', (out) => out === '64');
      const facts = await t.probe();
      t.equal(cmd(facts, 'read').output.trim(), '0', 'bytes read from the masked /proc/timer_list');
      t.equal(cmd(facts, 'plain').output.trim(), '64', 'bytes read from /proc/self/status (unmasked)');
    },
  }),

  defineCase({
    id: 'paths.masked.sys-directory',
    title: 'a masked /sys directory (/sys/firmware) lists nothing',
    requirements: ['config-linux:masked-paths.applied'],
    exercises: ['linux.maskedPaths'],
    bundle: maskedBundle((b) => b.maskedPaths(['/sys/firmware']), { list: 'ls -A /sys/firmware' }),
    async check(t) {
      await needsInContainer(t, '/sys/firmware', 'ls -A /sys/firmware', (out) => out !== '' && !out.includes('No such file'));
      const facts = await t.probe();
      t.equal(cmd(facts, 'list').output.trim(), '', 'entries of the masked /sys/firmware');
    },
  }),

  missingCase('masked'),
  relativeCase('masked'),

  defineCase({
    id: 'paths.readonly.file',
    title: 'a read-only file can be read but not written; the file next to it can be written',
    requirements: ['config-linux:readonly-paths.applied', 'config-linux:readonly-paths.absolute'],
    exercises: ['linux.readonlyPaths'],
    bundle: maskedBundle((b) => b.file('/etc/conform-ro', `${SECRET}\n`).file('/etc/conform-rw', 'rw\n').readonlyPaths(['/etc/conform-ro']), {
      read: 'cat /etc/conform-ro',
      append: 'echo more >> /etc/conform-ro',
      sibling: 'echo more >> /etc/conform-rw',
    }),
    async check(t) {
      const readonly = t.req('config-linux:readonly-paths.applied');
      const facts = await t.probe();
      readonly.equal(cmd(facts, 'read').output.trim(), SECRET, 'the read-only file, read');
      rofs(readonly, cmd(facts, 'append'), 'appending to the read-only file');
      works(readonly, cmd(facts, 'sibling'), 'appending to the file next to it');
    },
  }),

  defineCase({
    id: 'paths.readonly.directory',
    title: 'in a read-only directory files can be read but not written, created or made; next to it they can',
    requirements: ['config-linux:readonly-paths.applied'],
    exercises: ['linux.readonlyPaths'],
    bundle: maskedBundle((b) => b.file('/srv/conform-ro/inner', `${SECRET}\n`).mkdir('/srv/conform-rw').readonlyPaths(['/srv/conform-ro']), {
      read: 'cat /srv/conform-ro/inner',
      append: 'echo more >> /srv/conform-ro/inner',
      create: 'touch /srv/conform-ro/new',
      mkdir: 'mkdir /srv/conform-ro/sub',
      sibling: 'touch /srv/conform-rw/new',
    }),
    async check(t) {
      const facts = await t.probe();
      t.equal(cmd(facts, 'read').output.trim(), SECRET, 'a file in the read-only directory, read');
      rofs(t, cmd(facts, 'append'), 'appending to a file in the read-only directory');
      rofs(t, cmd(facts, 'create'), 'creating a file in the read-only directory');
      rofs(t, cmd(facts, 'mkdir'), 'making a directory in the read-only directory');
      works(t, cmd(facts, 'sibling'), 'creating a file in the directory next to it');
    },
  }),

  defineCase({
    id: 'paths.readonly.proc-sys',
    title: 'a read-only /proc/sys can be read, and not written even with CAP_SYS_ADMIN in a uts namespace',
    requirements: ['config-linux:readonly-paths.applied'],
    exercises: ['linux.readonlyPaths'],
    bundle: maskedBundle(
      (b) => b.readonlyPaths(['/proc/sys']).capabilities({ bounding: WITH_SYS_ADMIN, effective: WITH_SYS_ADMIN, permitted: WITH_SYS_ADMIN }),
      { read: 'cat /proc/sys/kernel/hostname', write: 'echo conform-rw > /proc/sys/kernel/hostname', after: 'hostname' },
    ),
    async check(t) {
      const facts = await t.probe();
      t.equal(cmd(facts, 'read').output.trim(), 'conform', '/proc/sys/kernel/hostname, read');
      rofs(t, cmd(facts, 'write'), 'writing /proc/sys/kernel/hostname');
      t.equal(cmd(facts, 'after').output.trim(), 'conform', 'the hostname after the refused write');
    },
  }),

  missingCase('readonly'),
  relativeCase('readonly'),
];
