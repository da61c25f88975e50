// config.md "Process" and "User": what the container's process is started with,
// as the probe sees it from inside (/proc/$$) and, for stdio, from the host.
import { readFileSync } from 'node:fs';
import { defineCase } from '../harness/case/case.js';
import { DEFAULT_PATH } from '../harness/case/bundle.js';
import { fdsOf } from '../harness/host/hostfacts.js';
import { parseProbe, type ProbeFacts } from '../harness/probe/parse.js';
import { probeAsCaller } from './support/caller.js';
import { runningOnHost } from './support/host.js';
import { isTerminalPath } from './support/terminal.js';
import { attempt, expectRefused } from './support/refuse.js';

const sorted = (xs: readonly string[] | undefined) => (xs ? [...xs].sort() : xs);

/** The probe's own script, which busybox sh holds open while it runs. */
const isProbeScript = (target: string) => target.endsWith('/conform/probe');

const octal = (n: number | undefined) => (n === undefined ? n : n.toString(8).padStart(4, '0'));

/** The probe's umask: /proc/$$/status (Linux 4.7+), else the shell's own `umask` (its subshell inherits it). */
function umaskOf(facts: ProbeFacts): number | undefined {
  if (facts.status?.umask !== undefined) return facts.status.umask;
  const r = facts.cmds.umask;
  return r?.rc === 0 && /^[0-7]{1,4}$/.test(r.output.trim()) ? parseInt(r.output.trim(), 8) : undefined;
}

const NO_UMASK = 'neither /proc/PID/status (Linux before 4.7, or a kernel that does not report it) nor the shell shows the umask';
const NO_NNP = '/proc/PID/status has no NoNewPrivs line (Linux before 4.10, or a kernel that does not report it)';

/** no_new_privs of conform itself: when set, every process it starts has it too. */
function harnessNoNewPrivs(): boolean {
  return /^NoNewPrivs:\s*1$/m.test(readFileSync('/proc/self/status', 'utf8'));
}

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
      t.req('config:process.args.path-lookup').equal(
        facts.args?.slice(0, 2),
        ['/bin/sh', '/conform/probe'],
        'argv of the process (interpreter, then the script execvp found on PATH)',
      );
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
    disputed:
      "config.md gives env the semantics of environ but never says a runtime may not add to it; runc and crun add HOME from the user's passwd entry when env has none (Docker relies on it)",
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
      t.req('config:process.user.uid').equal(st?.uid, [1000, 1000, 1000, 1000], 'Uid: real, effective, saved, fs');
      t.req('config:process.user.gid').equal(st?.gid, [1001, 1001, 1001, 1001], 'Gid: real, effective, saved, fs');
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
      bundle: (b) => b.probe({ only: ['status'], cmds: { umask: 'umask' } }).user({ uid: 0, gid: 0, umask }),
      async check(t) {
        const got = umaskOf(await t.probe());
        if (got === undefined) return t.skip(NO_UMASK);
        t.equal(octal(got), octal(umask), 'umask of the container process');
      },
    }),
  ),

  defineCase({
    id: 'process.cwd.missing',
    title: 'a cwd that does not exist in the rootfs is either refused or created: the process never starts elsewhere',
    requirements: ['config:process.cwd'],
    // A runtime that starts the process elsewhere.
    tamper: { 'process.cwd': '/' },
    bundle: (b) => b.probe({ only: ['cwd'] }).cwd('/conform-missing/sub dir'),
    async check(t) {
      // config.md only says cwd "is the working directory that will be set": a runtime may
      // create it (runc, crun) or report that it cannot apply it; running in "/" is neither.
      if ((await attempt(t, 'a cwd missing from the rootfs', { processProperty: true })).by) return;
      const facts = parseProbe(await t.waitOutput('@@done'));
      t.note('the runtime created the missing cwd');
      t.equal(facts.cwd, '/conform-missing/sub dir', 'working directory of the container process');
    },
  }),

  defineCase({
    id: 'process.cwd.relative-error',
    title: 'a relative cwd is refused (create, or start before the program runs)',
    requirements: ['config:process.cwd.absolute', 'config:valid-values.invalid-error'],
    exercises: ['op:create', 'op:start'],
    invalid: true,
    bundle: (b) => b.probe({ only: ['cwd'] }).cwd('tmp'),
    async check(t) {
      await expectRefused(t.req('config:process.cwd.absolute', 'config:valid-values.invalid-error'), 'a relative process.cwd', { processProperty: true });
    },
  }),

  defineCase({
    id: 'process.args.empty-error',
    title: 'empty process.args are refused (create, or start)',
    requirements: ['config:process.args.required', 'config:valid-values.invalid-error'],
    exercises: ['op:create', 'op:start'],
    invalid: true,
    bundle: (b) => b.args(),
    async check(t) {
      await expectRefused(t.req('config:process.args.required', 'config:valid-values.invalid-error'), 'an empty process.args', { processProperty: true });
    },
  }),

  defineCase({
    id: 'process.user.gid-without-uid',
    title: 'user.gid applies on its own: uid 0 with gid 4321',
    requirements: ['config:process.user.gid', 'config:process.user.uid'],
    exercises: ['process.user.gid'],
    bundle: (b) => b.probe({ only: ['status'] }).user({ uid: 0, gid: 4321 }),
    async check(t) {
      const st = (await t.probe()).status;
      t.req('config:process.user.uid').equal(st?.uid, [0, 0, 0, 0], 'Uid: real, effective, saved, fs');
      t.req('config:process.user.gid').equal(st?.gid, [4321, 4321, 4321, 4321], 'Gid: real, effective, saved, fs');
    },
  }),

  defineCase({
    id: 'process.user.umask-0000',
    title: 'user.umask 0 is applied (not taken for "unset"): the caller runs with 0027, the process with 0000',
    requirements: ['config:process.user.umask'],
    exercises: ['process.user.umask'],
    bundle: (b) => b.probe({ only: ['status'], cmds: { umask: 'umask' } }).user({ uid: 0, gid: 0, umask: 0 }),
    async check(t) {
      const got = umaskOf(await probeAsCaller(t, { umask: 0o027 }));
      if (got === undefined) return t.skip(NO_UMASK);
      t.equal(octal(got), '0000', 'umask of the container process');
    },
  }),

  defineCase({
    id: 'process.user.umask-unset',
    title: "without user.umask the caller's umask is kept (create and start run with 0047)",
    requirements: ['config:process.user.umask.unset'],
    // RFC 2119 keywords are upper-case; this one is not, and even as a SHOULD it would
    // leave a runtime its reasons (runc and crun set 0022).
    disputed:
      'config.md: "If unspecified, the umask should not be changed from the calling process\' umask" is a lower-case "should" (at most a recommendation); runc and crun set 0022',
    bundle: (b) => b.probe({ only: ['status'], cmds: { umask: 'umask' } }).user({ uid: 0, gid: 0 }),
    async check(t) {
      // 0047 is nobody's default: a runtime that sets 0022 (or any fixed umask) differs.
      const got = umaskOf(await probeAsCaller(t, { umask: 0o047 }));
      if (got === undefined) return t.skip(NO_UMASK);
      t.note(`the process's umask is ${octal(got)} (the caller's: 0047)`);
      t.equal(octal(got), '0047', 'umask of the container process');
    },
  }),

  defineCase({
    id: 'process.oom-score-adj.set',
    title: "oomScoreAdj 617 is written to the process's oom_score_adj",
    requirements: ['config:process.oom-score-adj.set'],
    exercises: ['process.oomScoreAdj'],
    bundle: (b) => b.probe({ only: ['oom'] }).oomScoreAdj(617),
    async check(t) {
      t.equal((await t.probe()).oomScoreAdj, 617, 'oom_score_adj of the container process');
    },
  }),

  defineCase({
    id: 'process.oom-score-adj.negative',
    title: 'a negative oomScoreAdj (-617) is written to oom_score_adj',
    requirements: ['config:process.oom-score-adj.set'],
    exercises: ['process.oomScoreAdj'],
    // Lowering oom_score_adj below the caller's minimum needs CAP_SYS_RESOURCE (proc(5)).
    needs: ['cap:CAP_SYS_RESOURCE'],
    bundle: (b) => b.probe({ only: ['oom'] }).oomScoreAdj(-617),
    async check(t) {
      t.equal((await t.probe()).oomScoreAdj, -617, 'oom_score_adj of the container process');
    },
  }),

  defineCase({
    id: 'process.oom-score-adj.unset',
    title: "without oomScoreAdj the caller's oom_score_adj is left as it is (create and start run with 421)",
    requirements: ['config:process.oom-score-adj.unset'],
    // A runtime that writes a value of its own.
    tamper: { 'process.oomScoreAdj': 0 },
    bundle: (b) => b.probe({ only: ['oom'] }).unset('process.oomScoreAdj'),
    async check(t) {
      // Raising oom_score_adj needs no privilege, so the caller can be given 421: a runtime
      // that writes any value of its own (0, say) is caught.
      t.equal((await probeAsCaller(t, { oomScoreAdj: 421 })).oomScoreAdj, 421, 'oom_score_adj of the container process');
    },
  }),

  defineCase({
    id: 'process.no-new-privileges.true',
    title: 'noNewPrivileges true sets no_new_privs (NoNewPrivs: 1)',
    requirements: ['config:process.no-new-privileges'],
    exercises: ['process.noNewPrivileges'],
    bundle: (b) => b.probe({ only: ['status'] }).noNewPrivileges(true),
    async check(t) {
      if (harnessNoNewPrivs()) return t.skip('conform itself runs with no_new_privs, which every process it starts inherits');
      const st = (await t.probe()).status;
      if (st?.noNewPrivs === undefined) return t.skip(NO_NNP);
      t.equal(st.noNewPrivs, true, 'NoNewPrivs');
    },
  }),

  defineCase({
    id: 'process.no-new-privileges.false',
    title: 'noNewPrivileges false leaves no_new_privs unset (NoNewPrivs: 0)',
    requirements: ['config:process.no-new-privileges'],
    // A runtime that always sets no_new_privs.
    tamper: { 'process.noNewPrivileges': true },
    bundle: (b) => b.probe({ only: ['status'] }).noNewPrivileges(false),
    async check(t) {
      if (harnessNoNewPrivs()) return t.skip('conform itself runs with no_new_privs, which every process it starts inherits');
      const st = (await t.probe()).status;
      if (st?.noNewPrivs === undefined) return t.skip(NO_NNP);
      t.equal(st.noNewPrivs, false, 'NoNewPrivs');
    },
  }),

  defineCase({
    id: 'process.stdio.caller',
    title: "terminal false: seen from the host, the process's stdout and stderr are no terminal",
    requirements: ['config:process.terminal.default'],
    // A runtime that gives the process a terminal anyway.
    tamper: { 'process.terminal': true },
    bundle: (b) => b.probe({ hold: true, only: ['meta'] }),
    async check(t) {
      const { pid } = await runningOnHost(t);
      const fds = fdsOf(pid);
      // The spec defines no command line, so where the output goes is the runtime's choice
      // (runc's convention: the files create was given; a relaying pipe would do too), and
      // runtime-linux.md lets stdio be /dev/null. Only a terminal is wrong here.
      for (const [fd, stream] of [
        [1, 'stdout'],
        [2, 'stderr'],
      ] as const) {
        const target = fds.get(fd);
        t.ok(target !== undefined && !isTerminalPath(target), `fd ${fd} of the container process is open and no terminal`, {
          expected: 'no /dev/pts/N, /dev/console or /dev/tty',
          actual: target,
        });
        if (target !== undefined && target !== t.rt.stdioPath(t.id, stream)) t.note(`fd ${fd} is ${target}, not the ${stream} file create was given`);
      }
    },
  }),

  defineCase({
    id: 'process.fds.stdio-only',
    title: 'only stdin, stdout and stderr are open in the container process (no fd leaks from the runtime)',
    requirements: ['runtime-linux:fds.stdio-only'],
    misbehaving: 'leak-fds.mjs',
    bundle: (b) => b.probe({ hold: true, only: ['meta'] }),
    async check(t) {
      const { pid } = await runningOnHost(t);
      const extra = [...fdsOf(pid)].filter(([fd, target]) => fd > 2 && !isProbeScript(target));
      t.equal(
        extra.map(([fd, target]) => `${fd} -> ${target}`),
        [],
        "fds beyond 0-2 (the shell's own script fd aside)",
      );
    },
  }),
];
