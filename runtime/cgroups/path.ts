// linux.cgroupsPath → the cgroup path under every hierarchy's mount point.
//
// - absolute (`/a/b`): taken as is under each mount point (the spec).
// - relative (`a/b`): under DEFAULT_PARENT, `/conform/a/b`. The spec lets the runtime
//   choose; runc's cgroupfs driver puts it under runc's own cgroup, which differs
//   between invocations (and per controller), while the spec wants the same value to
//   land in the same place every time. A fixed parent does that.
// - unset: `/conform/<container id>`.
// `..` is refused rather than resolved: a path must not climb out of where it says.
import { ConfigError } from '../errors.js';

export const DEFAULT_PARENT = '/conform';

export function resolveCgroupsPath(id: string, cgroupsPath?: string, parent = DEFAULT_PARENT): string {
  if (cgroupsPath === undefined) {
    if (!id || id === '.' || id === '..' || /[/\0\n]/.test(id)) {
      throw new ConfigError('id', `${JSON.stringify(id)} cannot name a cgroup`);
    }
    return `${parent}/${id}`;
  }
  const field = 'linux.cgroupsPath';
  if (typeof cgroupsPath !== 'string' || /[\0\n]/.test(cgroupsPath)) throw new ConfigError(field, 'must be a path');
  const parts = cgroupsPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ConfigError(field, `${JSON.stringify(cgroupsPath)} must not contain ".."`);
  if (cgroupsPath.startsWith('/')) {
    if (parts.length === 0) throw new ConfigError(field, "the root cgroup cannot be a container's cgroup");
    return `/${parts.join('/')}`;
  }
  if (parts.length === 0) throw new ConfigError(field, 'must not be empty');
  return `${parent}/${parts.join('/')}`;
}
