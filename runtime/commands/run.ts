// `run`: create + start; in the foreground (without --detach) it also waits for the
// container process and deletes the container, exiting with the process's status.
// To wait for an init that nsexec left as an orphan, `run` makes itself a child
// subreaper first, so the init is re-parented to it. Signals it receives meanwhile go
// to the container process.
import type { Logger } from '../log.js';
import type { Syscalls } from '../syscalls.js';
import { create } from './create.js';
import { del } from './delete.js';
import { forwardSignals, waitChild } from './forward.js';
import { start } from './start.js';

const PR_SET_CHILD_SUBREAPER = 36;

export async function run(o: {
  root: string;
  id: string;
  bundle?: string;
  pidFile?: string;
  detach: boolean;
  consoleSocket?: string;
  preserveFds?: number;
  log: Logger;
  sys: Syscalls;
}): Promise<number> {
  const { sys } = o;
  if (!o.detach) sys.prctl(PR_SET_CHILD_SUBREAPER, 1);
  const { pid } = await create({
    root: o.root,
    id: o.id,
    bundle: o.bundle,
    pidFile: o.pidFile,
    consoleSocket: o.consoleSocket,
    preserveFds: o.preserveFds,
    log: o.log,
    sys,
  });
  try {
    await start({ root: o.root, id: o.id, log: o.log, sys });
  } catch (err) {
    await del({ root: o.root, id: o.id, force: true, log: o.log, sys });
    throw err;
  }
  if (o.detach) return 0;
  const stop = forwardSignals(pid);
  const status = await waitChild(() => sys.waitpidNohang(pid)).finally(stop);
  await del({ root: o.root, id: o.id, force: true, log: o.log, sys });
  const signal = status & 0x7f;
  return signal === 0 ? (status >> 8) & 0xff : 128 + signal;
}
