// The seccomp agent of the SCMP_ACT_NOTIFY cases: the runtime connects to
// linux.seccomp.listenerPath and sends the container process state with the filter's
// listener fd (SCM_RIGHTS), which Node cannot receive; a small C program
// (harness/native/seccomp-agent.c, built into dist/) receives both, records them, and
// answers every notification with one errno, which the container's process then sees.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { NativeHelper, startNativeHelper, type HelperHost } from './native-helper.js';
import { repoRoot } from '../paths.js';

export const seccompAgentPath = join(repoRoot, 'dist', 'seccomp-agent');

export interface AgentEvents {
  listening: boolean;
  /** The /proc/self/fd link of the fd that arrived ("anon_inode:seccomp notify"). */
  fdLink?: string;
  /** Bytes of the connection received before the message the fd came with (0: the first). */
  fdAt?: number;
  /** Further fds that arrived on the connection. */
  extraFds: number;
  /** The runtime closed its connection. */
  closed: boolean;
  /** Connections made to the socket, the first included. */
  connections: number;
  /** Notifications received: system call number and process. */
  notifications: Array<{ nr: number; pid: number }>;
  answered: number;
  /** No process uses the filter any more. */
  hangup: boolean;
  error?: string;
}

/** The agent's EVENTS file (one line per step, see seccomp-agent.c). Pure. */
export function parseAgentEvents(text: string): AgentEvents {
  const ev: AgentEvents = { listening: false, closed: false, connections: 0, extraFds: 0, notifications: [], answered: 0, hangup: false };
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if (line === 'listening') ev.listening = true;
    else if ((m = /^fd link=(.*) at=(\d+)$/.exec(line))) {
      ev.fdLink = m[1]!;
      ev.fdAt = Number(m[2]);
      ev.connections = Math.max(ev.connections, 1);
    } else if (line === 'closed') {
      ev.closed = true;
      ev.connections = Math.max(ev.connections, 1);
    } else if ((m = /^connection (\d+)$/.exec(line))) ev.connections = Math.max(ev.connections, Number(m[1]));
    else if ((m = /^notif nr=(-?\d+) pid=(\d+)$/.exec(line))) ev.notifications.push({ nr: Number(m[1]), pid: Number(m[2]) });
    else if (line === 'answered') ev.answered++;
    else if (line === 'extra-fd') ev.extraFds++;
    else if (line === 'hangup') ev.hangup = true;
    else if (line.startsWith('error ')) ev.error = line.slice('error '.length);
  }
  return ev;
}

export class SeccompAgent extends NativeHelper<AgentEvents> {
  constructor(
    /** The path to give the runtime as linux.seccomp.listenerPath. */
    socket: string,
    eventsPath: string,
    private readonly statePath: string,
    child: ChildProcess,
  ) {
    super(socket, eventsPath, parseAgentEvents, child);
  }

  /** Everything the runtime sent on its connection. */
  received(): string {
    return existsSync(this.statePath) ? readFileSync(this.statePath, 'utf8') : '';
  }
}

/**
 * Starts an agent listening at `path` (killed at cleanup) that answers notifications
 * with `answer` (a positive errno); returns once a connect to it will succeed.
 */
export async function startSeccompAgent(t: HelperHost, path: string, answer: number): Promise<SeccompAgent> {
  const eventsPath = `${path}.events`;
  const statePath = `${path}.state`;
  return startNativeHelper(
    t,
    'the seccomp agent',
    [seccompAgentPath, path, eventsPath, statePath, String(answer)],
    (child) => new SeccompAgent(path, eventsPath, statePath, child),
  );
}
