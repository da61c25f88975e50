// Static rules for `root` (config.md#configRoot) and `mounts` (config.md#configMounts).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isObject, list, namespaces, type Finding, type Rule } from './rule.js';

const hasIdmapOption = (options: readonly unknown[]) => options.includes('idmap') || options.includes('ridmap');

export const rootMountRules: Rule[] = [
  {
    id: 'root.required',
    spec: 'config.md#configRoot',
    requirement: 'config:root.required',
    level: 'error',
    // "On Windows ... [for Hyper-V] this field MUST NOT be set. On all other platforms, this field is REQUIRED."
    check: (c, ctx) => (!ctx.windows && c.root === undefined ? [{ path: ['root'], message: 'is required' }] : []),
  },
  {
    id: 'root.path.directory',
    spec: 'config.md#configRoot',
    requirement: 'config:root.path.exists',
    level: 'error',
    // "A directory MUST exist at the path declared by the field" (relative to the bundle).
    check: (c, ctx) => {
      const path = c.root?.path;
      if (ctx.windows || typeof path !== 'string') return [];
      // POSIX: "a null pathname shall not be successfully resolved".
      if (path === '') return [{ path: ['root', 'path'], message: 'is empty: an empty path names no directory' }];
      if (ctx.bundleDir === undefined) return [];
      const full = resolve(ctx.bundleDir, path);
      let isDir: boolean;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        return [{ path: ['root', 'path'], message: `${full} does not exist: the root filesystem must be a directory` }];
      }
      return isDir ? [] : [{ path: ['root', 'path'], message: `${full} is not a directory` }];
    },
  },
  {
    id: 'root.path.conventional',
    spec: 'config.md#configRoot',
    requirement: 'config:root.path.conventional',
    level: 'warning',
    // "The value SHOULD be the conventional rootfs."
    check: (c, ctx) => {
      const path = c.root?.path;
      if (ctx.windows || typeof path !== 'string') return [];
      const conventional = path === 'rootfs' || (ctx.bundleDir !== undefined && resolve(ctx.bundleDir, path) === resolve(ctx.bundleDir, 'rootfs'));
      return conventional ? [] : [{ path: ['root', 'path'], message: 'should be the conventional rootfs' }];
    },
  },
  {
    id: 'mounts.destination.absolute',
    spec: 'config.md#configMounts',
    requirement: 'config:mounts.destination.absolute',
    level: 'warning',
    affectsRun: true,
    // Linux: "SHOULD be an absolute path" (relative ones are deprecated, read relative to /).
    // Solaris and "all other platforms": "MUST be an absolute path". Windows paths differ.
    check: (c, ctx) =>
      ctx.windows
        ? []
        : list(c.mounts).flatMap((m, i): Finding[] =>
            isObject(m) && typeof m.destination === 'string' && !m.destination.startsWith('/')
              ? [
                  ctx.linux
                    ? { path: ['mounts', i, 'destination'], message: 'should be an absolute path (relative ones are deprecated)' }
                    : { path: ['mounts', i, 'destination'], message: 'must be an absolute path', level: 'error' },
                ]
              : [],
          ),
  },
  {
    id: 'mounts.idmap.pair',
    spec: 'config.md#configPOSIXMounts',
    requirement: 'config:mounts.uid-mappings.with-gid',
    level: 'error',
    // uidMappings: "If specified, it MUST be specified along with gidMappings", and vice versa.
    check: (c) =>
      list(c.mounts).flatMap((m, i): Finding[] => {
        if (!isObject(m)) return [];
        if (m.uidMappings !== undefined && m.gidMappings === undefined)
          return [{ path: ['mounts', i, 'gidMappings'], message: 'is required with uidMappings' }];
        if (m.gidMappings !== undefined && m.uidMappings === undefined)
          return [{ path: ['mounts', i, 'uidMappings'], message: 'is required with gidMappings' }];
        return [];
      }),
  },
  {
    id: 'mounts.idmap.option',
    spec: 'config.md#configPOSIXMounts',
    requirement: 'config:mounts.id-mappings.idmap-option',
    level: 'warning',
    // "If specified, the options field of the mounts structure SHOULD contain either idmap or ridmap".
    check: (c) =>
      list(c.mounts).flatMap((m, i) =>
        isObject(m) && (m.uidMappings !== undefined || m.gidMappings !== undefined) && !hasIdmapOption(list(m.options))
          ? [{ path: ['mounts', i, 'options'], message: 'should contain idmap or ridmap, since the mount has uidMappings/gidMappings' }]
          : [],
      ),
  },
  {
    id: 'mounts.idmap.mappings',
    spec: 'config.md#configLinuxMountOptions',
    requirement: 'config:mounts.idmap.no-userns-error',
    level: 'error',
    // idmap/ridmap: "If there are no uidMappings and gidMappings specified and the container
    // isn't using user namespaces, an error MUST be returned."
    check: (c) => {
      const userns = namespaces(c).has('user');
      return list(c.mounts).flatMap((m, i) =>
        isObject(m) && hasIdmapOption(list(m.options)) && m.uidMappings === undefined && m.gidMappings === undefined && !userns
          ? [{ path: ['mounts', i, 'options'], message: 'idmap/ridmap needs uidMappings and gidMappings on the mount, or a user namespace' }]
          : [],
      );
    },
  },
];
