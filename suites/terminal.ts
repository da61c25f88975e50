// config.md "Process": `terminal` and `consoleSize`. With `terminal: true` "a
// pseudoterminal pair is allocated for the process and the pseudoterminal pty is
// duplicated on the process's standard streams"; `consoleSize` is its size, ignored
// without a terminal. The probe's facts come through the pty master, which conform
// receives with runc's --console-socket convention (harness/process/console-receiver.ts); /dev/console
// is checked in rootfs.ts (rootfs.default-devices.console).
import { defineCase } from '../harness/case/case.js';
import { encodeTtyNr, ptyNumberOf } from '../harness/process/console-receiver.js';
import type { CaseContext } from '../harness/case/context.js';
import { parseProbe, type ProbeFacts } from '../harness/probe/parse.js';
import { isTerminalPath, probeOnTerminal } from './support/terminal.js';

const BANNER = '@@conform-probe 1';
/** Not a common default (80×24, or 0×0 when unset), in either order. */
const SIZE = { height: 37, width: 91 };

const out = (facts: ProbeFacts, name: string) => facts.cmds[name] ?? { output: '(the probe did not run it)', rc: -1 };

/** `stat -L` of the probe's fds 0, 1, 2: "type|major:minor" (hex), one line each. */
const STAT_STDIO = "for fd in 0 1 2; do stat -L -c '%F|%t:%T' /proc/$$/fd/$fd; done";

interface Dev {
  type: string;
  major: number;
  minor: number;
}

function parseStat(line: string | undefined): Dev | undefined {
  const m = /^(.*)\|([0-9a-f]+):([0-9a-f]+)$/.exec(line?.trim() ?? '');
  return m ? { type: m[1]!, major: parseInt(m[2]!, 16), minor: parseInt(m[3]!, 16) } : undefined;
}

const showDev = (d: Dev | undefined) => (d ? `${d.type} ${d.major}:${d.minor}` : 'unknown');

/** What a process without a terminal looks like: no tty on fds 0–2, none as its controlling terminal. */
const NO_TERMINAL_CMDS = { tty: 'tty', ctty: "cut -d' ' -f7 /proc/$$/stat", size: 'stty size' };

function expectNoTerminal(t: CaseContext, facts: ProbeFacts): void {
  const fds = [0, 1, 2].map((fd) => facts.fds?.get(fd));
  t.ok(
    fds.every((f) => f !== undefined && !isTerminalPath(f)),
    'fds 0, 1 and 2 are not terminals',
    { expected: 'no /dev/pts/N, /dev/console or /dev/tty', actual: fds },
  );
  t.ok(out(facts, 'tty').rc === 1, '`tty` says stdin is not a terminal (exit 1)', { actual: `rc ${out(facts, 'tty').rc}: ${out(facts, 'tty').output}` });
  t.equal(out(facts, 'ctty').output.trim(), '0', 'tty_nr in /proc/PID/stat (the controlling terminal; 0: none)');
  t.ok(out(facts, 'size').rc !== 0, '`stty size` fails: there is no terminal to have a size', {
    actual: `rc ${out(facts, 'size').rc}: ${out(facts, 'size').output}`,
  });
}

export default [
  defineCase({
    id: 'terminal.stdio',
    title: 'terminal true: fds 0, 1 and 2 are one pty slave, whose master is the one the runtime hands over',
    requirements: ['config:process.terminal'],
    exercises: ['process.terminal'],
    bundle: (b) => b.set('process.terminal', true).probe({ only: ['fds'], cmds: { stat: STAT_STDIO } }),
    async check(t) {
      const { facts, tty } = await probeOnTerminal(t);
      const fds = [0, 1, 2].map((fd) => facts.fds?.get(fd));
      t.ok(/^\/dev\/pts\/\d+$/.test(fds[0] ?? '') && fds.every((f) => f === fds[0]), 'fds 0, 1 and 2 are the same /dev/pts/N', {
        expected: 'one /dev/pts/N, three times',
        actual: fds,
      });
      const devs = out(facts, 'stat').output.split('\n').map(parseStat);
      const same = devs.length === 3 && devs.every((d) => d && d.type === devs[0]!.type && d.major === devs[0]!.major && d.minor === devs[0]!.minor);
      t.ok(
        same && devs[0]!.type === 'character special file' && ptyNumberOf(devs[0]!.major, devs[0]!.minor) !== undefined,
        'fds 0, 1 and 2 are the same pty slave character device (major 136–143)',
        { actual: devs.map(showDev) },
      );
      const ptn = tty.events().fd?.ptn;
      if (devs[0])
        t.equal(
          ptyNumberOf(devs[0].major, devs[0].minor),
          ptn,
          "the pty number of the process's terminal (from its device numbers) and the master's that --console-socket received (TIOCGPTN)",
        );
      t.ok(!t.stdout().includes(BANNER), "nothing the process wrote went to create's stdout", { actual: t.stdout().slice(0, 200) });
    },
  }),

  defineCase({
    id: 'terminal.controlling',
    title: 'terminal true: the pty is the controlling terminal (tty names it, tty_nr is its device, /dev/tty opens)',
    // "A terminal is attached to the process": in POSIX terms, the process's terminal is
    // its controlling terminal; without one /dev/tty cannot be opened and job control and
    // SIGHUP on hangup do not work.
    requirements: ['config:process.terminal'],
    exercises: ['process.terminal'],
    bundle: (b) =>
      b.set('process.terminal', true).probe({
        only: ['fds'],
        cmds: { tty: 'tty', stat: "stat -L -c '%F|%t:%T' /proc/$$/fd/0", ctty: "cut -d' ' -f7 /proc/$$/stat", devtty: 'echo via-dev-tty > /dev/tty' },
      }),
    async check(t) {
      const { facts } = await probeOnTerminal(t);
      const fd0 = facts.fds?.get(0);
      t.equal(out(facts, 'tty').output.trim(), fd0, "`tty` prints the name of stdin's terminal");
      t.equal(out(facts, 'tty').rc, 0, '`tty` exit status (0: stdin is a terminal)');
      const dev = parseStat(out(facts, 'stat').output);
      const ctty = Number(out(facts, 'ctty').output.trim());
      t.ok(
        dev !== undefined && ctty !== 0 && ctty === encodeTtyNr(dev.major, dev.minor),
        "tty_nr in /proc/PID/stat (the controlling terminal) is stdin's terminal",
        {
          expected:
            dev && ptyNumberOf(dev.major, dev.minor) !== undefined
              ? encodeTtyNr(dev.major, dev.minor)
              : `stdin's pty device, encoded (stdin is ${showDev(dev)})`,
          actual: out(facts, 'ctty').output.trim(),
        },
      );
      const devtty = out(facts, 'devtty');
      t.ok(devtty.rc === 0 && devtty.output.includes('via-dev-tty'), 'a write to /dev/tty (the controlling terminal) succeeds and reaches the master', {
        actual: `rc ${devtty.rc}: ${devtty.output}`,
      });
    },
  }),

  defineCase({
    id: 'terminal.io',
    title: 'terminal true: what the process writes reaches the master, and what is written to the master reaches its stdin',
    requirements: ['config:process.terminal'],
    exercises: ['process.terminal'],
    bundle: (b) => b.set('process.terminal', true).probe({ only: ['meta'], cmds: { stdin: 'read -r line && echo "read:$line"' } }),
    async check(t) {
      // The probe's own output arriving at the master is the first half (probeOnTerminal waits for it).
      const { facts } = await probeOnTerminal(t, { input: 'conform-input-7\n' });
      t.ok(facts.started && facts.complete, "the probe's output, from its first line to its last, arrived at the master");
      t.equal(out(facts, 'stdin').output, 'read:conform-input-7', 'a line written to the master before start, as the process read it from stdin');
    },
  }),

  defineCase({
    id: 'terminal.console-size',
    title: `consoleSize sets the terminal's size: stty size prints "${SIZE.height} ${SIZE.width}"`,
    requirements: ['config:process.console-size'],
    exercises: ['process.consoleSize'],
    bundle: (b) =>
      b
        .set('process.terminal', true)
        .set('process.consoleSize', SIZE)
        .probe({ only: ['meta'], cmds: { size: 'stty size' } }),
    async check(t) {
      const { facts } = await probeOnTerminal(t);
      t.equal(out(facts, 'size'), { output: `${SIZE.height} ${SIZE.width}`, rc: 0 }, '`stty size` (rows, columns) and its exit status');
    },
  }),

  defineCase({
    id: 'terminal.no-console-socket',
    title: 'terminal true, and create without --console-socket: what the runtime does',
    requirements: ['config:process.terminal'],
    disputed:
      'the spec does not say how the caller gets the pty master, so refusing to create a terminal nobody can reach, or running the process on one, are both open; runc refuses',
    bundle: (b) => b.set('process.terminal', true).probe({ only: ['fds'] }),
    async check(t) {
      const r = await t.rt.create(t.id, t.bundle.dir);
      if (r.timedOut || r.signal || r.spawnError) t.fail(`create ${r.summary}`);
      if (!r.ok) {
        t.expectError(await t.rt.state(t.id), 'state after create was refused (no container may be left behind)');
        return t.note(`create refused terminal: true without --console-socket (${r.summary})`);
      }
      await t.state();
      await t.start();
      await t.waitStatus('stopped');
      const fd1 = t.stdout().includes(BANNER) ? parseProbe(t.stdout()).fds?.get(1) : undefined;
      t.note(
        fd1 === undefined
          ? 'create accepted terminal: true without --console-socket; the process ran, its output going nowhere conform can read (a terminal whose master the runtime kept or closed)'
          : `create accepted terminal: true without --console-socket; the process ran with stdout ${fd1} and its output in create's stdout`,
      );
    },
  }),

  defineCase({
    id: 'terminal.default',
    title: 'terminal absent: no terminal (stdio not a tty, no controlling terminal)',
    requirements: ['config:process.terminal.default'],
    // A runtime that attaches a terminal by default.
    tamper: { 'process.terminal': true },
    bundle: (b) => b.unset('process.terminal').probe({ only: ['fds'], cmds: NO_TERMINAL_CMDS }),
    async check(t) {
      expectNoTerminal(t, await t.probe());
    },
  }),

  ...([false, undefined] as const).map((terminal) =>
    defineCase({
      id: `terminal.console-size.ignored.${terminal === false ? 'false' : 'unset'}`,
      title: `terminal ${terminal === false ? 'false' : 'absent'} and consoleSize set: consoleSize is ignored (no error, no terminal)`,
      requirements: ['config:process.console-size.ignored', ...(terminal === undefined ? ['config:process.terminal.default'] : [])],
      // A runtime that takes consoleSize for a reason to make a terminal.
      tamper: { 'process.terminal': true },
      bundle: (b) => {
        if (terminal === undefined) b.unset('process.terminal');
        else b.set('process.terminal', terminal);
        b.set('process.consoleSize', SIZE).probe({ only: ['fds'], cmds: NO_TERMINAL_CMDS });
      },
      async check(t) {
        // t.probe() requires create and start to succeed: an error over consoleSize fails here.
        expectNoTerminal(t.all(), await t.probe());
      },
    }),
  ),
];
