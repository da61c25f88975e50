// The caller's end of a `terminal: true` container. The spec says a pseudoterminal is
// allocated for the process but not how its caller gets the master; runc, crun, youki
// and runsc share runc's convention: `create --console-socket PATH`, where the runtime
// connects to a unix socket the caller listens on and sends the master with SCM_RIGHTS.
// Node cannot receive an fd, so a small C program (harness/native/console-receiver.c,
// built into dist/) receives it, writes what the case gives as input, and copies what
// the process writes to its terminal into a file, until the terminal hangs up.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { StateResult } from './driver.js';
import { NativeHelper, startNativeHelper, type HelperHost } from './native-helper.js';
import { repoRoot } from '../paths.js';
import { poll } from './wait.js';

export const consoleReceiverPath = join(repoRoot, 'dist', 'console-receiver');

/** sockaddr_un's sun_path holds 108 bytes, the last one a NUL. */
const MAX_SOCKET_PATH = 107;

export interface ConsoleEvents {
  listening: boolean;
  /** The fd that arrived: its pty number (-1: not a pty master) and the message's payload. */
  fd?: { ptn: number; name: string };
  /** The connection ended without an fd. */
  nofd: boolean;
  /** Every slave fd was closed (the process and whatever shared its terminal are gone). */
  hangup: boolean;
  error?: string;
}

/** The receiver's EVENTS file (one line per step, see console-receiver.c). Pure. */
export function parseConsoleEvents(text: string): ConsoleEvents {
  const ev: ConsoleEvents = { listening: false, nofd: false, hangup: false };
  for (const line of text.split('\n')) {
    const fd = /^fd ptn=(-?\d+) name=(.*)$/.exec(line);
    if (line === 'listening') ev.listening = true;
    else if (fd) ev.fd = { ptn: Number(fd[1]), name: fd[2]! };
    else if (line === 'nofd') ev.nofd = true;
    else if (line === 'hangup') ev.hangup = true;
    else if (line.startsWith('error ')) ev.error = line.slice('error '.length);
  }
  return ev;
}

/**
 * What a program wrote to its terminal, as it wrote it: the line discipline's default
 * output processing (ONLCR) turns each "\n" into "\r\n". Pure.
 */
export function fromTerminal(raw: string): string {
  return raw.replace(/\r\n/g, '\n');
}

/** A pty slave's device number as /proc/PID/stat's tty_nr encodes it (linux/kdev_t.h new_encode_dev). */
export function encodeTtyNr(major: number, minor: number): number {
  return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
}

/** Unix98 pty slaves have majors 136–143 (UNIX98_PTY_SLAVE_MAJOR and the 7 after it); minor + 256·(major−136) is the pty number. */
export function ptyNumberOf(major: number, minor: number): number | undefined {
  return major >= 136 && major <= 143 ? (major - 136) * 256 + minor : undefined;
}

/** What the receiver needs of its case (a CaseContext has it). */
export interface ConsoleHost extends HelperHost {
  readonly id: string;
  readonly dir: string;
  readonly rt: { readonly rt: { readonly timeoutMs: number }; state(id: string): Promise<StateResult> };
  fail(message: string): never;
  stdout(id?: string): string;
}

export class ConsoleReceiver extends NativeHelper<ConsoleEvents> {
  constructor(
    private readonly t: ConsoleHost,
    /** The path to give the runtime as `--console-socket`. */
    socket: string,
    readonly outputPath: string,
    eventsPath: string,
    child: ChildProcess,
  ) {
    super(socket, eventsPath, parseConsoleEvents, child);
  }

  /** Everything the master has read so far, "\r\n" turned back into "\n". */
  output(): string {
    return fromTerminal(this.raw());
  }

  /** The bytes as they came from the master. */
  raw(): string {
    return existsSync(this.outputPath) ? readFileSync(this.outputPath, 'utf8') : '';
  }

  /**
   * Waits until `marker` arrives on a line of its own at the master. Ends the case as
   * failed, saying why, when it cannot arrive any more: no master was ever sent and the
   * process stopped, or the terminal hung up.
   */
  async waitFor(marker: string, opts: { id?: string; timeoutMs?: number } = {}): Promise<string> {
    const t = this.t;
    const id = opts.id ?? t.id;
    const timeoutMs = opts.timeoutMs ?? t.rt.rt.timeoutMs;
    let nextStateCheck = Date.now() + 200;
    let stopped = false;
    const out = await poll(
      async () => {
        const ev = this.events();
        const out = this.output();
        if (out.split('\n').includes(marker)) return out;
        if (ev.error) t.fail(`the console socket's receiver failed: ${ev.error}`);
        if (ev.nofd) t.fail('the runtime connected to --console-socket but sent no fd');
        if (ev.hangup) t.fail(`the terminal hung up before ${marker} arrived at the master${this.describe(id)}`);
        if (!stopped && Date.now() > nextStateCheck) {
          stopped = (await t.rt.state(id)).state?.status === 'stopped';
          nextStateCheck = Date.now() + 200;
          // With a master, the hangup that follows the process's end says when all of its output is in.
          if (stopped && !ev.fd) t.fail(`the container's process stopped, and no pty master arrived on --console-socket${this.describe(id)}`);
        }
        return undefined;
      },
      { timeoutMs, pauseMs: 5, maxPauseMs: 50 },
    );
    return out ?? t.fail(`${marker} did not arrive at the pty master within ${(timeoutMs / 1000).toFixed(0)}s${this.describe(id)}`);
  }

  /** Waits until the terminal hangs up (every slave fd closed); false at the deadline. */
  waitHangup(timeoutMs = this.t.rt.rt.timeoutMs): Promise<boolean> {
    return this.until((ev) => ev.hangup, timeoutMs);
  }

  /** What the output went elsewhere tells about why it is missing here. */
  private describe(id: string): string {
    const ev = this.events();
    const parts = [ev.fd ? `a master arrived (pty ${ev.fd.ptn})` : 'no master arrived on the socket'];
    const out = this.output().trim();
    parts.push(out ? `the master read: ${JSON.stringify(out.slice(-200))}` : 'the master read nothing');
    if (this.t.stdout(id).includes('@@conform-probe')) parts.push("the process's output went to create's stdout instead: it had no terminal");
    return ` (${parts.join('; ')})`;
  }
}

/**
 * Starts a receiver listening on `<case dir>/<name>.sock` (killed at cleanup) and returns
 * once a connect to it will succeed. `input` is written to the master as soon as it
 * arrives (before `start`: the terminal keeps it until the process reads it).
 */
export async function startConsoleReceiver(t: ConsoleHost, opts: { name?: string; input?: string } = {}): Promise<ConsoleReceiver> {
  let name = opts.name ?? 'console';
  for (let n = 2; !opts.name && existsSync(join(t.dir, `${name}.events`)); n++) name = `console-${n}`;
  const socket = join(t.dir, `${name}.sock`);
  // The receiver binds `<socket>.tmp` first.
  if (Buffer.byteLength(`${socket}.tmp`) > MAX_SOCKET_PATH)
    throw new Error(`the console socket's path ${socket} is too long for a unix socket (at most ${MAX_SOCKET_PATH - 4} bytes): use a shorter --workdir`);
  const outputPath = join(t.dir, `${name}.out`);
  const eventsPath = join(t.dir, `${name}.events`);
  const argv: [string, ...string[]] = [consoleReceiverPath, socket, outputPath, eventsPath];
  if (opts.input !== undefined) {
    const inputPath = join(t.dir, `${name}.in`);
    writeFileSync(inputPath, opts.input);
    argv.push(inputPath);
  }
  return startNativeHelper(t, "the console socket's receiver", argv, (child) => new ConsoleReceiver(t, socket, outputPath, eventsPath, child));
}
