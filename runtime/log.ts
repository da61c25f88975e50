// --log FILE / --log-format text|json / --debug, as runc takes them (callers such as
// containerd pass them): errors and warnings always reach the log file when one is
// given; without one, warnings go to stderr. Writes are synchronous and to fd 2
// directly, never through process.stderr (which would make a shared pipe non-blocking).
import { appendFileSync, writeSync } from 'node:fs';

export type LogFormat = 'text' | 'json';
export type Level = 'debug' | 'info' | 'warning' | 'error';

export class Logger {
  constructor(
    readonly file?: string,
    readonly format: LogFormat = 'text',
    readonly debugEnabled = false,
  ) {}

  line(level: Level, msg: string, now = new Date()): string {
    const time = isoTime(now);
    if (this.format === 'json') return `${JSON.stringify({ level, msg, time })}\n`;
    return `time="${time}" level=${level} msg=${JSON.stringify(msg)}\n`;
  }

  private toFile(level: Level, msg: string): boolean {
    if (!this.file) return false;
    try {
      appendFileSync(this.file, this.line(level, msg));
      return true;
    } catch {
      return false;
    }
  }

  debug(msg: string): void {
    if (this.debugEnabled && !this.toFile('debug', msg)) stderr(`conform-runtime: debug: ${msg}`);
  }

  warn(msg: string): void {
    if (!this.toFile('warning', msg)) stderr(`conform-runtime: warning: ${msg}`);
  }

  /** A warning for the log file; without one, shown only with --debug. */
  quiet(msg: string): void {
    if (!this.toFile('warning', msg) && this.debugEnabled) stderr(`conform-runtime: warning: ${msg}`);
  }

  /** Errors go to the log file and, always, as one line to stderr (by the caller). */
  error(msg: string): void {
    this.toFile('error', msg);
  }
}

/**
 * `date.toISOString()`, from its UTC fields: a process's first toISOString costs 0.7–1.9
 * ms of CPU (measured on Node 20: the getters and the padding, ~0.1 ms), and `create`
 * stamps every container with one. Years outside 0–9999 take toISOString's own form.
 */
export function isoTime(date = new Date()): string {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return date.toISOString();
  const p = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${p(year, 4)}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())}T${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}.${p(date.getUTCMilliseconds(), 3)}Z`;
}

export function stderr(line: string): void {
  try {
    writeSync(2, `${line}\n`);
  } catch {
    // stderr closed: nothing else to tell.
  }
}

export function stdout(text: string): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length;) {
    try {
      off += writeSync(1, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}
