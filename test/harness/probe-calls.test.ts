// The runtime calls a probe costs: a probe run to its end asks no `state` when the reaper
// holds what create left and saw all of it exit (a host fact, exact), and asks it as before
// when create left nothing to watch (a daemon's runtime, or a runtime that did nothing, which
// then fails at once). Fake runtimes: no container is involved.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineCase } from '../../harness/case/case.js';
import { detectHost } from '../../harness/host/env.js';
import { Services } from '../../harness/host/services.js';
import { runCase } from '../../harness/run/runner.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-probe-calls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A runtime that logs each command's name. `create` body and `start` body: shell; the
 * container's "process" prints the probe's last line on the stdout create was given.
 */
function fakeRuntime(
  name: string,
  create: string,
  start: string,
  stateOutput = `echo '{"ociVersion":"1.0.2","id":"c","status":"'$s'","pid":0,"bundle":"/"}'`,
): { path: string; calls: () => string[] } {
  const path = join(dir, `${name}.sh`);
  const log = join(dir, `${name}.log`);
  const go = join(dir, `${name}.go`);
  writeFileSync(
    path,
    `#!/bin/sh
for a; do case "$a" in create|start|state|kill|delete) echo "$a" >> ${log}; cmd=$a; break;; esac; done
case "$cmd" in
  create) ${create.replaceAll('GO', go)} ;;
  start) ${start.replaceAll('GO', go)} ;;
  state) if [ -e ${go}.done ]; then s=stopped; elif [ -e ${go} ]; then s=running; else s=created; fi
    ${stateOutput} ;;
  *) exit 0 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return { path, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
}

async function probeWith(runtime: string): Promise<string> {
  const c = defineCase({
    id: `probe-calls.${runtime.split('/').pop()!.replace(/\W/g, '-')}`,
    title: 'a probe run to its end',
    requirements: ['config:process.args'],
    bundle: (b) => {
      b.skipRootfs = true;
      b.config.root = { path: dir };
      b.config.process = { ...b.config.process!, args: ['/probe'] };
    },
    check: async (t) => void t.ok((await t.probe()) !== undefined, 'the probe printed its facts'),
  });
  const services = new Services(dir, 'test', '/nonexistent');
  const r = await runCase(c, {
    rt: { path: runtime, args: [], timeoutMs: 10_000 },
    env: { host: detectHost(), runtime: {} },
    runDir: dir,
    rootfs: '/nonexistent',
    jobs: 1,
    keep: false,
    reporter: { name: 'none', start() {}, caseFinished() {}, finish: async () => {} },
    tag: 'test',
    services,
  });
  // Nothing of a run's services is left (the mounter, if a case started it).
  expect(await services.stopAll()).toEqual([]);
  return `${r!.outcome}${r!.message ? `: ${r!.message}` : ''}`;
}

describe('probe calls', () => {
  it('create left the container process: create, start, delete, and no state', async () => {
    // The "container" waits for start, prints the probe's end and exits.
    const rt = fakeRuntime('left', `(while [ ! -e GO ]; do sleep 0.01; done; echo @@done; touch GO.done) &`, 'touch GO');
    expect(await probeWith(rt.path)).toBe('pass');
    expect(rt.calls()).toEqual(['create', 'start', 'delete']);
  });

  it('create left nothing (start runs the process, as a daemon would): state after create, and again for the end', async () => {
    const rt = fakeRuntime('daemon', 'out=$(readlink /proc/$$/fd/1); echo "$out" > GO.out', 'echo @@done >> "$(cat GO.out)"; touch GO.done');
    expect(await probeWith(rt.path)).toBe('pass');
    expect(rt.calls()).toEqual(['create', 'state', 'start', 'state', 'delete']);
  });

  it('a runtime that says yes and does nothing fails at the state after create, never waits for output', async () => {
    const rt = fakeRuntime('noop', 'true', 'true', 'true');
    expect(await probeWith(rt.path)).toMatch(/^fail: state .*: state output is not JSON/);
    expect(rt.calls().slice(0, 2)).toEqual(['create', 'state']);
    expect(rt.calls()).not.toContain('start');
  });
});
