// One reaper process for the whole of conform's life that forks a reaper per command
// (`reaper --serve`, harness/native/reaper.c): Node's spawn forks all of conform, ~12 ms
// of CPU a call at its size (page tables, then copy-on-write faults in both processes
// until the child execs), on a machine whose cores the runtime and its containers
// already keep busy. A fork of the small server costs a fraction of that.
// harness/process/spawn.ts starts every command through `launch` when it can.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import type { Socket } from 'node:net';

/** A started reaper, however it was started: what harness/process/spawn.ts listens to. */
export interface ReaperHandle {
  /** 'data' (Buffer) and 'close'; null when the stream was not piped. */
  stdout: EventEmitter | null;
  stderr: EventEmitter | null;
  /** The control channel (the reaper's lines): 'data', 'close', 'error'; end() shuts conform's side. */
  ctl: (EventEmitter & { end(): void }) | null;
  /** 'exit' when the reaper has ended; 'error' (Error) when it could not be started. */
  events: EventEmitter;
  /** Signals the reaper (leaderOnly) or its process group. */
  signal(sig: NodeJS.Signals, leaderOnly?: boolean): void;
}

export interface LaunchRequest {
  argv: string[];
  hold: boolean;
  graceMs: number;
  input?: string;
  stdout: 'pipe' | number;
  stderr: 'pipe' | number;
  extraFds: number[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/** What the server's pipe to its commands' stdin takes before they start (it writes it first). */
const MAX_INPUT = 60_000;
/**
 * The calls the server keeps at once (MAX_CALLS in reaper.c): held ones count until
 * released. Ours are forgotten after the server's, so counting them never overshoots.
 */
const MAX_CALLS = 256;

class ServedCall {
  readonly stdout: EventEmitter | null;
  readonly stderr: EventEmitter | null;
  readonly ctl: EventEmitter & { end(): void };
  readonly events = new EventEmitter();
  /** The frames still due: the reaper's exit, and the end of each stream. */
  due: number;
  /** Keeps conform running until the reaper's exit, as a child process of its own would. */
  waited = true;

  constructor(
    readonly id: number,
    private readonly server: ReaperServer,
    req: LaunchRequest,
  ) {
    this.stdout = req.stdout === 'pipe' ? new EventEmitter() : null;
    this.stderr = req.stderr === 'pipe' ? new EventEmitter() : null;
    this.ctl = Object.assign(new EventEmitter(), { end: () => server.send('release', id) });
    this.due = 2 + (this.stdout ? 1 : 0) + (this.stderr ? 1 : 0);
  }

  signal(sig: NodeJS.Signals, leaderOnly = false): void {
    this.server.send('kill', this.id, `${constants.signals[sig]} ${leaderOnly ? 0 : 1}`);
  }
}

export class ReaperServer {
  private readonly calls = new Map<number, ServedCall>();
  private next = 1;
  private pending: Buffer = Buffer.alloc(0);
  private gone = false;
  private stopped = false;
  /** Whether the server can take conform's fds (pidfd_getfd): its first frame says. */
  private fds?: boolean;
  private readonly child: ChildProcessByStdio<Socket, Socket, null>;
  private onReady?: (up: boolean) => void;
  /** Resolves when the server has said it is up (true), or has ended before (false). */
  readonly ready = new Promise<boolean>((resolve) => (this.onReady = resolve));

  constructor(reaperPath: string) {
    // A session of its own, as every reaper: a Ctrl-C on the terminal reaches conform alone.
    this.child = spawn(reaperPath, ['--serve'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true }) as ChildProcessByStdio<Socket, Socket, null>;
    this.child.stdout.on('data', (d: Buffer) => this.onData(d));
    this.child.stdin.on('error', () => {}); // its exit says it
    this.child.on('error', () => this.end());
    // Ended, and every frame it wrote read.
    this.child.on('close', () => this.end());
    this.idle();
  }

  /** Not ended (or stopped). */
  get alive(): boolean {
    return !this.gone && !this.stopped;
  }

  /** Whether `launch` takes this request (else the caller spawns the reaper itself). */
  takes(req: LaunchRequest): boolean {
    if (!this.alive || this.fds === undefined || this.calls.size >= MAX_CALLS) return false;
    const fds = typeof req.stdout === 'number' || typeof req.stderr === 'number' || req.extraFds.length > 0;
    return (!fds || this.fds) && Buffer.byteLength(req.input ?? '') <= MAX_INPUT;
  }

  launch(req: LaunchRequest): ReaperHandle {
    const id = this.next++;
    const call = new ServedCall(id, this, req);
    this.calls.set(id, call);
    this.ref();
    if (req.input !== undefined) this.send('input', id, req.input);
    const env = Object.entries(req.env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    const fields = [
      req.hold ? '1' : '0',
      String(req.graceMs),
      req.input === undefined ? 'ignore' : 'input',
      String(req.stdout),
      String(req.stderr),
      String(req.extraFds.length),
      ...req.extraFds.map(String),
      req.cwd ?? '',
      String(env.length),
      ...env,
      ...req.argv,
    ];
    this.send('run', id, Buffer.from(fields.map((f) => `${f}\0`).join('')));
    return { stdout: call.stdout, stderr: call.stderr, ctl: call.ctl, events: call.events, signal: (sig, leaderOnly) => call.signal(sig, leaderOnly) };
  }

  send(kind: string, id: number, payload: string | Buffer = ''): void {
    if (this.gone) return;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    this.child.stdin.write(Buffer.concat([Buffer.from(`${kind} ${id} ${body.length}\n`), body]));
  }

  /**
   * Ends the server: its calls' reapers see their control channels close and kill what
   * they ran. Resolves once it has exited (and its CPU time counts as conform's).
   */
  stop(): Promise<void> {
    this.stopped = true;
    const closed = new Promise<void>((resolve) => {
      if (this.gone) resolve();
      else this.child.once('close', () => resolve());
    });
    this.ref();
    this.child.stdin.end();
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    return closed.finally(() => clearTimeout(kill));
  }

  private onData(d: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    for (;;) {
      const nl = this.pending.indexOf(10);
      if (nl < 0) return;
      const [kind, idText, lenText] = this.pending.subarray(0, nl).toString('latin1').split(' ');
      const len = Number(lenText);
      if (this.pending.length < nl + 1 + len) return;
      const body = this.pending.subarray(nl + 1, nl + 1 + len);
      this.pending = this.pending.subarray(nl + 1 + len);
      this.onFrame(kind!, Number(idText), body);
    }
  }

  private onFrame(kind: string, id: number, body: Buffer): void {
    if (kind === 'hello') {
      this.fds = body.toString() === 'fds';
      this.onReady?.(true);
      return;
    }
    const call = this.calls.get(id);
    if (!call) return;
    const stream = { out: call.stdout, err: call.stderr, ctl: call.ctl }[kind.replace(/end$/, '')];
    if (kind === 'out' || kind === 'err' || kind === 'ctl') stream?.emit('data', Buffer.from(body));
    else if (kind === 'outend' || kind === 'errend' || kind === 'ctlend') {
      stream?.emit('close');
      this.done(call);
    } else if (kind === 'exit') {
      call.waited = false;
      call.events.emit('exit');
      this.done(call);
    } else if (kind === 'fderror') {
      this.calls.delete(id);
      call.events.emit('error', new Error(`the reaper server could not start it: ${body.toString()}`));
    }
    this.idle();
  }

  private done(call: ServedCall): void {
    if (--call.due === 0) this.calls.delete(call.id);
  }

  private ref(): void {
    this.child.ref();
    this.child.stdout.ref();
    this.child.stdin.ref();
  }

  /** conform may exit while nothing is due (what a create left is held, not waited for). */
  private idle(): void {
    if ([...this.calls.values()].some((c) => c.waited)) return;
    this.child.unref();
    this.child.stdout.unref();
    this.child.stdin.unref();
  }

  /** The server ended: what was due will not come; later commands start the other way. */
  private end(): void {
    if (this.gone) return;
    this.gone = true;
    this.onReady?.(false);
    for (const call of this.calls.values()) {
      for (const s of [call.stdout, call.stderr, call.ctl]) s?.emit('close');
      call.events.emit('exit');
    }
    this.calls.clear();
  }
}
