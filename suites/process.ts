// config.md "Process" and "User": what the container's process is started with,
// as the probe sees it from inside (/proc/$$) and, for stdio, from the host.
import { defineCase } from '../harness/case.js';
import { DEFAULT_PATH } from '../harness/bundle.js';
import { fdsOf } from '../harness/hostfacts.js';

const sorted = (xs: readonly string[] | undefined) => (xs ? [...xs].sort() : xs);

/** The probe's own script, which busybox sh holds open while it runs. */
const isProbeScript = (target: string) => target.endsWith('/conform/probe');

export default [
  defineCase({
    id: 'process.args.exact',
    title: 'args reach the process exactly: spaces, empty strings, tabs, UTF-8, shell metacharacters',
    requirements: ['config:process.args'],
    exercises: ['process.args[5]'],
    bundle: (b) => b.probe({ only: ['cmdline'], extra: ['two words', '', 'tab\there', 'ünïcödé', '$HOME', '*', "'quoted'"] }),
    async check(t) {
      const facts = await t.probe();
      t.equal(facts.args, t.bundle.config.process?.args, 'argv of the container process');
    },
  }),

  defineCase({
    id: 'process.args.path-lookup',
    title: 'args[0] without a slash is looked up on the PATH of process.env, as execvp does',
    requirements: ['config:process.args.path-lookup', 'config:process.args'],
    exercises: ['process.env'],
    bundle: (b) => {
      // Only /conform is on PATH: a runtime that ignores process.env's PATH (or does
      // not search it) cannot find `probe` there, nor anywhere else.
      b.args('probe', '--only', 'cmdline').env(['PATH=/conform']);
    },
    async check(t) {
      // The probe is a #! script: the kernel runs /bin/sh with the path execvp found.
      const facts = await t.probe();
      t.equal(facts.args?.slice(0, 2), ['/bin/sh', '/conform/probe'], 'argv of the process (interpreter, then the script execvp found on PATH)');
    },
  }),

  defineCase({
    id: 'process.env.exact',
    title: 'the environment is exactly process.env (values with spaces, "=" and empty ones included)',
    requirements: ['config:process.env'],
    exercises: ['process.env'],
    bundle: (b) => b.probe({ only: ['environ'] }).env([DEFAULT_PATH, 'HOME=/root', 'SPACES=a b  c', 'EQUALS=x=y=z', 'EMPTY=', 'UTF8=ünï']),
    async check(t) {
      const facts = await t.probe();
      t.equal(sorted(facts.env), sorted(t.bundle.config.process?.env), 'environment of the container process');
    },
  }),

  defineCase({
    id: 'process.env.nothing-added',
    title: 'the runtime adds no variable of its own (here: no HOME when process.env has none)',
    requirements: ['config:process.env'],
    exercises: ['process.env'],
    bundle: (b) => b.probe({ only: ['environ'] }).env([DEFAULT_PATH, 'CONFORM=1']),
    async check(t) {
      const facts = await t.probe();
      t.equal(sorted(facts.env), sorted(t.bundle.config.process?.env), 'environment of the container process');
    },
  }),

  ...[
    ['tmp', '/tmp'],
    ['nested', '/home/conform'],
  ].map(([name, cwd]) =>
    defineCase({
      id: `process.cwd.${name}`,
      title: `the process starts in process.cwd (${cwd})`,
      requirements: ['config:process.cwd'],
      exercises: ['process.cwd'],
      bundle: (b) => b.probe({ only: ['cwd'] }).cwd(cwd!),
      async check(t) {
        t.equal((await t.probe()).cwd, cwd, 'working directory of the container process');
      },
    }),
  ),

  defineCase({
    id: 'process.user.uid-gid',
    title: 'the process runs with user.uid and user.gid (real, effective, saved and fs ids)',
    requirements: ['config:process.user.uid', 'config:process.user.gid'],
    exercises: ['process.user.uid', 'process.user.gid'],
    bundle: (b) => b.probe({ only: ['status'] }).user({ uid: 1000, gid: 1001 }),
    async check(t) {
      const st = (await t.probe()).status;
      t.equal(st?.uid, [1000, 1000, 1000, 1000], 'Uid: real, effective, saved, fs');
      t.equal(st?.gid, [1001, 1001, 1001, 1001], 'Gid: real, effective, saved, fs');
    },
  }),

  defineCase({
    id: 'process.user.additional-gids',
    title: 'the supplementary groups are exactly user.additionalGids',
    requirements: ['config:process.user.additional-gids'],
    exercises: ['process.user.additionalGids'],
    bundle: (b) => b.probe({ only: ['status'] }).user({ uid: 1000, gid: 1000, additionalGids: [5, 27, 65534] }),
    async check(t) {
      const st = (await t.probe()).status;
      t.equal(st?.groups ? [...st.groups].sort((a, b) => a - b) : st?.groups, [5, 27, 65534], 'Groups');
    },
  }),

  defineCase({
    id: 'process.user.root-additional-gids',
    title: 'additionalGids apply to root too',
    requirements: ['config:process.user.additional-gids'],
    exercises: ['process.user.additionalGids'],
    bundle: (b) => b.probe({ only: ['status'] }).user({ uid: 0, gid: 0, additionalGids: [1234] }),
    async check(t) {
      const st = (await t.probe()).status;
      t.equal(st?.groups, [1234], 'Groups');
    },
  }),

  ...[0o027, 0o077].map((umask) =>
    defineCase({
      id: `process.user.umask-${umask.toString(8).padStart(4, '0')}`,
      title: `user.umask ${umask.toString(8).padStart(4, '0')} is the process's umask`,
      requirements: ['config:process.user.umask'],
      exercises: ['process.user.umask'],
      bundle: (b) => b.probe({ only: ['status'] }).user({ uid: 0, gid: 0, umask }),
      async check(t) {
        const st = (await t.probe()).status;
        if (st?.umask === undefined) return t.skip('this kernel does not report Umask in /proc/PID/status (before 4.7)');
        t.equal(st!.umask!.toString(8).padStart(4, '0'), umask.toString(8).padStart(4, '0'), 'Umask');
      },
    }),
  ),

  defineCase({
    id: 'process.stdio.caller',
    title: "with terminal false, the process's stdio is the caller's (stdout and stderr are the files create was given)",
    requirements: ['config:process.terminal.default'],
    bundle: (b) => b.probe({ hold: true, only: ['meta'] }),
    async check(t) {
      await t.create();
      await t.start();
      await t.waitOutput('@@ready');
      const { pid } = await t.state();
      const fds = fdsOf(pid!);
      t.equal(fds.get(1), t.rt.stdioPath(t.id, 'stdout'), 'fd 1 of the container process (host view)');
      t.equal(fds.get(2), t.rt.stdioPath(t.id, 'stderr'), 'fd 2 of the container process (host view)');
    },
  }),

  defineCase({
    id: 'process.fds.stdio-only',
    title: 'only stdin, stdout and stderr are open in the container process (no fd leaks from the runtime)',
    requirements: ['runtime-linux:fds.stdio-only'],
    bundle: (b) => b.probe({ hold: true, only: ['meta'] }),
    async check(t) {
      await t.create();
      await t.start();
      await t.waitOutput('@@ready');
      const { pid } = await t.state();
      const extra = [...fdsOf(pid!)].filter(([fd, target]) => fd > 2 && !isProbeScript(target));
      t.equal(extra.map(([fd, target]) => `${fd} -> ${target}`), [], 'fds beyond 0-2 (the shell\'s own script fd aside)');
    },
  }),
];
