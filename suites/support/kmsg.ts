// The kernel log as /dev/kmsg hands it out (one record per read), for the audit
// records seccomp writes (type=1326) when a filter asks for logging.
import { closeSync, constants, existsSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';

export interface KmsgRecord {
  seq: number;
  message: string;
}

/** Every record still in the ring buffer, oldest first. Throws when /dev/kmsg cannot be read. */
export function readKmsg(path = '/dev/kmsg'): KmsgRecord[] {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(16384);
  const out: KmsgRecord[] = [];
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break; // the end of the buffer
        if (code === 'EPIPE') continue; // records were overwritten while reading: go on with the next
        throw e;
      }
      out.push(parseKmsgRecord(buf.toString('utf8', 0, n)));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** `prio,seq,usec,flags[,…];message\n[ KEY=value…]` → seq and message. */
export function parseKmsgRecord(text: string): KmsgRecord {
  const semi = text.indexOf(';');
  const seq = Number(text.slice(0, semi).split(',')[1]);
  return { seq, message: text.slice(semi + 1).split('\n')[0] ?? '' };
}

/** Why seccomp's audit records would not reach the kernel log here, or undefined. */
export function seccompLogUnavailable(action: 'errno' | 'log'): string | undefined {
  const logged = '/proc/sys/kernel/seccomp/actions_logged';
  if (!existsSync(logged)) return 'the kernel has no /proc/sys/kernel/seccomp/actions_logged (before Linux 4.14)';
  if (!readFileSync(logged, 'utf8').split(/\s+/).includes(action)) return `kernel.seccomp.actions_logged does not include ${action} on this host`;
  if (/(^|\s)audit=0(\s|$)/.test(readFileSync('/proc/cmdline', 'utf8'))) return 'audit is disabled on the kernel command line (audit=0)';
  // With an audit daemon listening, the records go to its log, not to the kernel log.
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'auditd')
        return 'auditd runs on this host: seccomp audit records go to its log, not to /dev/kmsg';
    } catch {
      /* gone */
    }
  }
  try {
    readKmsg();
  } catch (e) {
    return `cannot read /dev/kmsg: ${(e as Error).message}`;
  }
  return undefined;
}
