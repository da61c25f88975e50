// Config files as real engines generate them (fixtures/engine-configs, recorded by its
// record.mjs), run with conform's busybox rootfs under them. conform rewrites only what
// cannot work on another machine, and each case lists what it rewrote in its notes:
// root.path (the engine's storage), bind sources that do not exist here (the engine's
// own files: stand-ins in the case directory, of the kind they were), linux.cgroupsPath
// (it names the recording's container and a parent conform would leave behind),
// rlimits above what conform itself may have (without CAP_SYS_RESOURCE no runtime can
// raise them), and process.args (the probe instead of the recorded `sh`).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCase } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { probeArgs } from '../../harness/case/bundle.js';
import { repoRoot } from '../../harness/paths.js';
import { RLIMITS } from '../../linux/rlimits.js';
import type { Config } from '../../schemas/config.js';
import { probeBundle } from './common.js';
import { matchFacts } from './match.js';

const FIXTURES = join(repoRoot, 'fixtures', 'engine-configs');

interface Recording {
  command: string;
  engine: string;
  /** Each bind source as it was when recorded. */
  bindSources: Record<string, 'file' | 'dir' | 'missing'>;
}

function recording(name: string): { config: Config; meta: Recording } {
  const config = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Config;
  const meta = (JSON.parse(readFileSync(join(FIXTURES, 'recorded.json'), 'utf8')) as { configs: Record<string, Recording> }).configs[name];
  if (!meta) throw new Error(`fixtures/engine-configs/recorded.json has no entry for ${name}`);
  return { config, meta };
}

/** conform's own hard limit for an rlimit (`/proc/self/limits`), which is what the runtime it starts can have. */
function ownHard(type: string): bigint | undefined {
  const row = RLIMITS[type]?.procName;
  const line = row
    ? readFileSync('/proc/self/limits', 'utf8')
        .split('\n')
        .find((l) => l.startsWith(row))
    : undefined;
  const hard = line?.slice(row!.length).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? undefined : BigInt(hard);
}

/** The recorded config, made runnable here; returns it with the list of what was rewritten. */
export function rewrite(t: CaseContext, recorded: Config, meta: Recording): { config: Config; changes: string[] } {
  const config = structuredClone(recorded);
  const changes: string[] = [];
  if (config.root?.path !== 'rootfs') {
    changes.push(`root.path ${config.root?.path} → rootfs`);
    config.root = { ...config.root, path: 'rootfs' };
  }
  const standIns = join(t.dir, 'files', 'engine-files');
  (config.mounts ?? []).forEach((m, i) => {
    const kind = m.source ? meta.bindSources[m.source] : undefined;
    if (!m.source || !kind || existsSync(m.source)) return;
    const standIn = join(standIns, `${i}-${m.destination.replace(/[^\w.-]+/g, '_')}`);
    if (kind === 'dir') mkdirSync(standIn, { recursive: true });
    else {
      mkdirSync(standIns, { recursive: true });
      writeFileSync(standIn, '');
    }
    changes.push(`mounts[${i}].source (${m.destination}) → an empty ${kind} in the case directory`);
    m.source = standIn;
  });
  if (config.linux?.cgroupsPath !== undefined) {
    changes.push(`linux.cgroupsPath ${config.linux.cgroupsPath} → /${t.id}`);
    config.linux.cgroupsPath = `/${t.id}`;
  }
  const canRaise = (t.env.host.capEff >> 24n) & 1n; // CAP_SYS_RESOURCE
  for (const r of config.process?.rlimits ?? []) {
    const hard = ownHard(r.type);
    if (canRaise || hard === undefined || BigInt(r.hard) <= hard) continue;
    changes.push(`process.rlimits ${r.type} ${r.soft}/${r.hard} → ${hard}/${hard} (conform's own hard limit: it lacks CAP_SYS_RESOURCE)`);
    r.soft = Number(hard);
    r.hard = Number(hard);
  }
  changes.push(`process.args ${JSON.stringify(config.process?.args)} → the probe`);
  config.process = { ...config.process!, args: probeArgs() };
  return { config, changes };
}

function recordedCase(name: string, id: string, title: string, extra: { requirements: string[]; exercises: string[] }) {
  return defineCase({
    id,
    title,
    requirements: [
      'runtime:lifecycle.create-environment',
      'runtime:create.apply-config',
      'config:process.env',
      'config:process.cwd',
      'config:process.user.uid',
      'config:process.user.gid',
      'config:process.capabilities.bounding',
      'config:process.capabilities.effective',
      'config:process.capabilities.permitted',
      'config:process.rlimits.soft',
      'config:process.rlimits.hard',
      'config-linux:namespaces.new',
      'config-linux:namespaces.inherit',
      'config:mounts.type',
      ...extra.requirements,
    ],
    exercises: extra.exercises,
    async check(t) {
      const { config: recorded, meta } = recording(name);
      const { config, changes } = rewrite(t, recorded, meta);
      t.note(`${meta.engine}: ${meta.command} (fixtures/engine-configs/${name}.json); rewritten: ${changes.join('; ')}`);
      const bundle = await t.newBundle((b) => {
        b.config = config;
      });
      const facts = await probeBundle(t, bundle);
      matchFacts(t, config, facts);
    },
  });
}

export default [
  recordedCase(
    'podman',
    'bundles.podman.default',
    "podman 4.3's config.json (its default seccomp profile, capabilities, umask, binds of its own files) runs, and the process is as it says",
    {
      requirements: ['config:process.user.umask', 'config-linux:seccomp.default-action', 'config:hostname.applied'],
      exercises: ['process.capabilities', 'linux.seccomp', 'process.user.umask'],
    },
  ),
  recordedCase('containerd', 'bundles.containerd.default', "containerd 1.6's config.json for ctr run runs, and the process is as it says", {
    requirements: ['config:process.user.additional-gids', 'config:process.no-new-privileges'],
    exercises: ['process.capabilities', 'process.noNewPrivileges'],
  }),
  recordedCase(
    'containerd-seccomp',
    'bundles.containerd.seccomp',
    "containerd 1.6's config.json for ctr run --seccomp (its default profile) runs under the filter",
    {
      requirements: ['config-linux:seccomp.default-action'],
      exercises: ['linux.seccomp'],
    },
  ),
];
