// Hooks that leave a marker file, wherever the spec runs them: in the runtime
// namespace (the rootfs seen by its host path), in the container's mount namespace
// before pivot_root (the same host path) or after it (the rootfs is `/`). Either way
// the marker lands in <bundle>/rootfs/conform-markers/<name>.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleBuilder } from '../../harness/case/bundle.js';
import type { Hook } from '../../schemas/config.js';

const DIR = 'conform-markers';

export function markerHook(b: BundleBuilder, name: string): Hook {
  b.mkdir(`/${DIR}`, 0o777);
  const host = join(b.dir, b.config.root?.path ?? 'rootfs', DIR, name);
  // The state arrives on stdin; reading it lets the runtime's write finish.
  const script = 'cat >/dev/null; for f in "$1" "$2"; do (echo ran > "$f") 2>/dev/null && exit 0; done; exit 0';
  return { path: '/bin/sh', args: ['sh', '-c', script, 'sh', host, `/${DIR}/${name}`] };
}

/** Whether the hook `name` left its marker. */
export function markerSet(bundleDir: string, name: string, rootPath = 'rootfs'): boolean {
  return existsSync(join(bundleDir, rootPath, DIR, name));
}
