// An OCI image of conform's busybox rootfs, built offline with Debian's umoci (no
// registry), cached by content hash beside the rootfs. Two tags share its one layer:
// - `base`: only PATH set, for the engines (podman, containerd) to run commands in;
// - `probe`: an image configuration as a real image has one (Entrypoint, Cmd, Env,
//   WorkingDir, User by name, an exposed port, a stop signal, a label), whose process is
//   conform's probe: `umoci unpack` turns it into a bundle whose process is exactly
//   what the image says, so the probe's facts can be held against the image.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_PATH } from '../../schemas/defaults.js';
import { SetupError } from '../errors.js';
import { publishCached } from './rootfs.js';
import type { Service, Services } from './services.js';
import { describeExit, run } from '../process/spawn.js';

/** Bump when the recipe below changes in a way the hash does not see. */
const LAYOUT = 2;

export const IMAGE_NAME = 'conform/busybox';

/** The `probe` tag's image configuration (image-spec config.config), as umoci is told to write it. */
export const PROBE_IMAGE = {
  entrypoint: ['/bin/sh', '/conform/probe'],
  // An argument with spaces, to see it arrive whole; the probe runs it as a command.
  cmd: ['--cmd', 'whoami', 'id -un; id -gn'],
  env: [DEFAULT_PATH, 'CONFORM_IMAGE=probe', 'GREETING=hello image world'],
  workingDir: '/home/conform',
  /** By name: umoci resolves it in the rootfs's /etc/passwd (conform is 1000:1000 there). */
  user: 'conform',
  resolvedUser: { uid: 1000, gid: 1000 },
  exposedPorts: ['8080/tcp'],
  stopSignal: 'SIGUSR1',
  labels: { 'org.example.conform.image': 'probe' },
} as const;

export interface OciImage {
  /** The OCI image layout directory (index.json, blobs/). */
  layout: string;
  /** The same layout in a tar: an OCI archive, which engines import (`oci-archive:FILE:TAG`, `ctr image import`). */
  archive: string;
}

const found = (dir: string): OciImage => ({ layout: join(dir, 'oci'), archive: join(dir, 'oci.tar') });

/** `LAYOUT:TAG`, the image reference umoci and skopeo take. */
export function imageRef(image: OciImage, tag: 'base' | 'probe'): string {
  return `${image.layout}:${tag}`;
}

async function must(argv: string[], what: string): Promise<void> {
  const r = await run(argv, { timeoutMs: 120_000 });
  if (r.code !== 0 || r.timedOut || r.spawnError) {
    const said = (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ');
    throw new SetupError(`building the OCI image: ${what}: ${argv.join(' ')} ${describeExit(r)}${said ? `: ${said}` : ''}`);
  }
}

/**
 * Returns the cached image built from `rootfs` (a directory ensureRootfs made, whose name
 * carries its content hash), building it first when needed. Needs umoci and tar.
 */
export async function ensureImage(rootfs: string): Promise<OciImage> {
  const umoci = await run(['umoci', '--version'], { timeoutMs: 30_000 });
  const hash = createHash('sha256')
    .update(`layout ${LAYOUT}\n${basename(rootfs)}\n${umoci.stdout}\n${JSON.stringify(PROBE_IMAGE)}`)
    .digest('hex')
    .slice(0, 16);
  const dir = join(dirname(rootfs), `image-${hash}`);
  if (existsSync(join(dir, '.conform-complete'))) return found(dir);

  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(tmp, { recursive: true });
    const layout = join(tmp, 'oci');
    const layer = join(tmp, 'layer.tar');
    const img = (tag: string) => `${layout}:${tag}`;
    // A fixed date: the image (and the configs made from it) is the same on every machine.
    const created = '2000-01-01T00:00:00Z';
    await must(['tar', '-C', rootfs, '--exclude=./.conform-complete', '--numeric-owner', '--sort=name', `--mtime=${created}`, '-cf', layer, '.'], 'the layer');
    await must(['umoci', 'init', '--layout', layout], 'umoci init');
    await must(['umoci', 'new', '--image', img('base')], 'umoci new');
    await must(
      ['umoci', 'raw', 'add-layer', '--image', img('base'), '--history.created', created, '--history.created_by', 'conform: busybox rootfs', layer],
      'umoci raw add-layer',
    );
    await must(
      ['umoci', 'config', '--image', img('base'), '--no-history', '--created', created, '--author', 'conform', '--config.env', DEFAULT_PATH],
      'umoci config (base)',
    );
    const p = PROBE_IMAGE;
    await must(
      [
        'umoci',
        'config',
        '--image',
        img('base'),
        '--tag',
        'probe',
        '--no-history',
        '--created',
        created,
        ...p.entrypoint.flatMap((a) => ['--config.entrypoint', a]),
        ...p.cmd.flatMap((a) => ['--config.cmd', a]),
        ...p.env.flatMap((e) => ['--config.env', e]),
        '--config.workingdir',
        p.workingDir,
        '--config.user',
        p.user,
        ...p.exposedPorts.flatMap((e) => ['--config.exposedports', e]),
        '--config.stopsignal',
        p.stopSignal,
        ...Object.entries(p.labels).flatMap(([k, v]) => ['--config.label', `${k}=${v}`]),
      ],
      'umoci config (probe)',
    );
    rmSync(layer);
    await must(['tar', '-C', layout, '-cf', join(tmp, 'oci.tar'), '.'], 'the OCI archive');
    publishCached(tmp, dir, hash);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return found(dir);
}

/** The run's image: built (or found in the cache) once per run, by the first case that asks. */
export function runImage(services: Services): Promise<OciImage & Service> {
  return services.get('image', async () => ({ ...(await ensureImage(services.rootfs)), stop: async () => [] }));
}
