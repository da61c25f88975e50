// Facts about host processes from /proc, without any syscall library: `state`
// must stay cheap (it is a Node boot plus a few reads).
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** One letter: R, S, D, Z, T, X… */
  state: string;
  ppid: number;
  /** Field 22, clock ticks since boot: with the pid, it names one process for good. */
  startTime: string;
}

/** Parses /proc/PID/stat text (the command name may contain spaces and parentheses). */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  if (fields.length < 20) return undefined;
  return { state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]! };
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when `pid` is the very process that started at `startTime` and has not exited. */
export function isAlive(pid: number, startTime: string | undefined): boolean {
  const st = readStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return startTime === undefined || st.startTime === startTime;
}

/** Waits until the process is gone (or a zombie), up to `timeoutMs`. */
export async function waitGone(pid: number, startTime: string | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    if (!isAlive(pid, startTime)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
  }
}
