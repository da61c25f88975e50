// `spec`: writes a default config.json (runc's defaults, with the busybox-friendly
// process `sh`), refusing to overwrite one.
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RuntimeError } from '../errors.js';
import { DEFAULT_CAPS, DEFAULT_MASKED_PATHS, DEFAULT_PATH, DEFAULT_READONLY_PATHS, defaultMounts } from '../../schemas/defaults.js';

export function defaultConfig(): object {
  const caps = [...DEFAULT_CAPS];
  return {
    ociVersion: '1.3.0',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: [DEFAULT_PATH, 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'conform',
    mounts: [...defaultMounts(), { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] }],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
}

export function spec(o: { bundle?: string }): void {
  const file = join(resolve(o.bundle ?? '.'), 'config.json');
  if (existsSync(file)) throw new RuntimeError(`${file} already exists: remove it first`);
  writeFileSync(file, `${JSON.stringify(defaultConfig(), null, 2)}\n`);
}
