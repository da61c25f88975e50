// The seed pipeline of the OCI world: image → bundle → runtime. conform's image (built
// offline with umoci, harness/host/image.ts) is unpacked with `umoci unpack`, and the runtime
// runs that bundle exactly as umoci wrote it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleBuilder } from '../../harness/case/bundle.js';
import { defineCase } from '../../harness/case/case.js';
import type { BuiltBundle } from '../../harness/case/context.js';
import { imageRef, PROBE_IMAGE, runImage } from '../../harness/host/image.js';
import { HarnessError } from '../../harness/run/runner.js';
import { run } from '../../harness/process/spawn.js';
import type { Config } from '../../schemas/config.js';
import { noteValidation, probeBundle } from './common.js';
import { matchFacts } from './match.js';

export default [
  defineCase({
    id: 'bundles.umoci.image-config',
    title: "a bundle umoci unpacked from an image runs, and the image's Entrypoint, Cmd, Env, WorkingDir and User reach the process",
    requirements: [
      'runtime:lifecycle.create-environment',
      'runtime:create.apply-config',
      'config:process.args',
      'config:process.env',
      'config:process.cwd',
      'config:process.user.uid',
      'config:process.user.gid',
      'config:process.terminal',
      'config:process.capabilities.bounding',
      'config:process.capabilities.effective',
      'config:process.capabilities.permitted',
      'config-linux:namespaces.new',
      'config-linux:namespaces.inherit',
      'config:hostname.applied',
      'config:mounts.type',
    ],
    exercises: ['process.env', 'process.user', 'process.capabilities'],
    needs: ['tool:umoci'],
    async check(t) {
      const image = await runImage(t.services);
      const dir = join(t.dir, 'umoci-bundle');
      const unpack = await run(['umoci', 'unpack', '--image', imageRef(image, 'probe'), dir], { timeoutMs: 120_000 });
      if (unpack.code !== 0) throw new HarnessError(`umoci unpack --image ${imageRef(image, 'probe')}: exit ${unpack.code}: ${unpack.stderr.trim()}`);
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Config;
      const bundle: BuiltBundle = { dir, config, builder: new BundleBuilder(dir, join(t.dir, 'files')) };
      bundle.builder.config = config;

      // umoci's part of the pipeline, checked first so that no verdict below can come from it.
      const p = config.process;
      const want = PROBE_IMAGE;
      const umociOk =
        JSON.stringify(p?.args) === JSON.stringify([...want.entrypoint, ...want.cmd]) &&
        want.env.every((e) => p?.env?.includes(e)) &&
        p?.cwd === want.workingDir &&
        p?.user?.uid === want.resolvedUser.uid &&
        p?.user?.gid === want.resolvedUser.gid;
      if (!umociOk) throw new HarnessError(`umoci wrote a process that is not the image's (${JSON.stringify(p)}): the pipeline broke before the runtime`);
      noteValidation(t, bundle, 'umoci');

      const facts = await probeBundle(t, bundle);
      matchFacts(t, config, facts);
      // The user arrived by name: the rootfs's own files resolve the ids back to it.
      t.req('config:process.user.uid', 'config:process.user.gid').equal(
        facts.cmds.whoami?.output.trim().split(/\s+/),
        ['conform', 'conform'],
        `the image's User ${want.user}, as id -un and id -gn name the process's uid and gid`,
      );
    },
  }),
];
