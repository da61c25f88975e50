// `ps` (runc's): the processes in the container's cgroups. `--format json` prints
// their host pids as a JSON array (containerd's shim reads it); the table is the
// host's ps(1) output (default `ps -ef`, or the options given after the id) cut to
// the container's processes, found by the header's PID column, as runc does.
import { spawnSync } from 'node:child_process';
import { cgroupPids, type CgroupState } from '../cgroups-bridge.js';
import { RuntimeError } from '../errors.js';
import { stdout } from '../log.js';
import { checkId, StateStore } from '../state/store.js';

export function ps(o: { root: string; id: string; format: 'table' | 'json'; psArgs: string[] }): void {
  const id = checkId(o.id);
  const store = new StateStore(o.root);
  const s = store.read(id);
  const pids = store.status(s) === 'stopped' ? [] : cgroupPids(s.cgroup as CgroupState);
  if (o.format === 'json') {
    if (o.psArgs.length > 0) throw new RuntimeError('ps: options for ps(1) go with --format table only');
    stdout(`${JSON.stringify(pids)}\n`);
    return;
  }
  const args = o.psArgs.length > 0 ? o.psArgs : ['-ef'];
  const r = spawnSync('ps', args, { encoding: 'utf8' });
  if (r.error) throw new RuntimeError(`ps: cannot run ps(1): ${(r.error as NodeJS.ErrnoException).code ?? r.error.message} (install procps)`);
  if (r.status !== 0) throw new RuntimeError(`ps ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? `exit status ${r.status}`}`);
  stdout(filterPsTable(r.stdout, pids));
}

/** The header and the lines whose PID column is one of `pids`. */
export function filterPsTable(output: string, pids: readonly number[]): string {
  const [header = '', ...lines] = output.split('\n');
  const column = header.trim().split(/\s+/).indexOf('PID');
  if (column < 0) throw new RuntimeError(`ps: the output has no PID column (header: ${header.trim()}); add -o pid or use -ef`);
  const wanted = new Set(pids);
  const kept = lines.filter((line) => line.trim() !== '' && wanted.has(Number(line.trim().split(/\s+/)[column])));
  return [header, ...kept].map((l) => `${l}\n`).join('');
}
