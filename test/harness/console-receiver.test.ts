import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleReceiverPath, encodeTtyNr, fromTerminal, parseConsoleEvents, ptyNumberOf } from '../../harness/process/console-receiver.js';
import { parseProbe } from '../../harness/probe/parse.js';
import { fixture } from '../helpers/conform.js';

// Recorded from runc 1.1.5: terminal.stdio's probe as it came out of the pty master
// (\r\n line endings), and the receiver's events.
const raw = readFileSync(fixture('probe', 'runc-terminal.out'), 'utf8');

describe('terminal output', () => {
  it("has the line discipline's \\r\\n, which fromTerminal turns back into \\n", () => {
    expect(raw).toContain('@@section fds\r\n');
    expect(fromTerminal(raw)).not.toContain('\r');
    expect(fromTerminal('a\r\n\r\nb\rc\r\n')).toBe('a\n\nb\rc\n');
  });

  it('parses as probe output once converted', () => {
    const facts = parseProbe(fromTerminal(raw));
    expect(facts.complete).toBe(true);
    expect([0, 1, 2].map((fd) => facts.fds?.get(fd))).toEqual(['/dev/pts/0', '/dev/pts/0', '/dev/pts/0']);
    expect(facts.cmds.stat).toEqual({ output: 'character special file|88:0\ncharacter special file|88:0\ncharacter special file|88:0', rc: 0 });
  });
});

describe('parseConsoleEvents', () => {
  it('reads a recorded run: listening, the fd with its pty number and payload, the hangup', () => {
    expect(parseConsoleEvents(readFileSync(fixture('probe', 'runc-terminal.events'), 'utf8'))).toEqual({
      listening: true,
      fd: { ptn: 0, name: '/dev/ptmx' },
      nofd: false,
      hangup: true,
    });
  });

  it('reads a connection without an fd, a non-pty fd, and an error', () => {
    expect(parseConsoleEvents('listening\nnofd\n')).toEqual({ listening: true, nofd: true, hangup: false });
    expect(parseConsoleEvents('listening\nfd ptn=-1 name=\n').fd).toEqual({ ptn: -1, name: '' });
    expect(parseConsoleEvents('error bind: Address already in use\n').error).toBe('bind: Address already in use');
    expect(parseConsoleEvents('')).toEqual({ listening: false, nofd: false, hangup: false });
  });
});

describe('pty device numbers', () => {
  it('maps a Unix98 slave to its pty number, and nothing else', () => {
    expect(ptyNumberOf(136, 0)).toBe(0);
    expect(ptyNumberOf(136, 255)).toBe(255);
    expect(ptyNumberOf(137, 1)).toBe(257);
    expect(ptyNumberOf(143, 255)).toBe(2047);
    expect(ptyNumberOf(5, 1)).toBeUndefined(); // /dev/console
    expect(ptyNumberOf(0, 0)).toBeUndefined();
  });

  it("encodes tty_nr as /proc/PID/stat does (the recorded probe's stdin, 136:0, is 34816)", () => {
    expect(encodeTtyNr(136, 0)).toBe(34816);
    expect(encodeTtyNr(136, 3)).toBe(34819);
    expect(encodeTtyNr(136, 300)).toBe((300 & 0xff) | (136 << 8) | ((300 & ~0xff) << 12));
    expect(encodeTtyNr(4, 1)).toBe(1025); // tty1
  });
});

describe.skipIf(!existsSync(consoleReceiverPath))('console-receiver (needs `node scripts/build.mjs --harness`)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conform-console-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const runReceiver = (name: string) => {
    const paths = { socket: join(dir, `${name}.sock`), out: join(dir, `${name}.out`), events: join(dir, `${name}.events`) };
    const child = spawn(consoleReceiverPath, [paths.socket, paths.out, paths.events], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { paths, exited };
  };

  it('listens once the socket exists, and reports a connection that brings no fd', async () => {
    const { paths, exited } = runReceiver('nofd');
    const deadline = Date.now() + 5000;
    while (!existsSync(paths.socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise<void>((resolve, reject) => {
      const c = connect(paths.socket, () => c.end('no fd here'));
      c.on('error', reject).on('close', () => resolve());
    });
    expect(await exited).toBe(1);
    expect(parseConsoleEvents(readFileSync(paths.events, 'utf8'))).toEqual({ listening: true, nofd: true, hangup: false });
  });

  it('refuses a socket path too long for a unix socket, saying so', async () => {
    const { paths, exited } = runReceiver('x'.repeat(120));
    expect(await exited).toBe(1);
    expect(parseConsoleEvents(readFileSync(paths.events, 'utf8')).error).toMatch(/^socket path: /);
  });
});
