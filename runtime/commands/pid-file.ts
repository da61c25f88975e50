// --pid-file of create, run and exec.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** runc's way: a temp file renamed into place, so a reader (conmon, the shim) never sees half a pid. */
export function writePidFile(path: string, pid: number): void {
  const abs = resolve(path);
  const tmp = join(dirname(abs), `.${process.pid}.pid`);
  writeFileSync(tmp, String(pid));
  renameSync(tmp, abs);
}
