// `state` and `list`: read-only, no lock, no syscall library (every call is a Node
// boot; these must stay cheap). state.json is replaced atomically, so a reader
// sees a whole state.
import { stdout } from '../log.js';
import { checkId, StateStore } from '../state/store.js';

export function state(o: { root: string; id: string }): void {
  const id = checkId(o.id);
  const store = new StateStore(o.root);
  const s = store.read(id);
  stdout(`${JSON.stringify(store.ociState(s), null, 2)}\n`);
}

export function list(o: { root: string; format: 'table' | 'json'; quiet: boolean }): void {
  const store = new StateStore(o.root);
  const rows = store.list().flatMap((id) => {
    try {
      const s = store.read(id);
      return [store.ociState(s)];
    } catch {
      return [];
    }
  });
  if (o.quiet) {
    stdout(rows.map((r) => `${r.id}\n`).join(''));
  } else if (o.format === 'json') {
    stdout(`${JSON.stringify(rows)}\n`);
  } else {
    const table = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED'], ...rows.map((r) => [r.id, String(r.pid ?? 0), r.status, r.bundle, String(r.created ?? '')])];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    stdout(
      table
        .map(
          (row) =>
            `${row
              .map((c, i) => c.padEnd(widths[i]!))
              .join('   ')
              .trimEnd()}\n`,
        )
        .join(''),
    );
  }
}
