// Where a run's podman store puts the paths podman and conmon limit in length: the runroot
// (podman: 50 characters) and conmon's TMPDIR (a console socket in it must fit a unix
// socket's 107 bytes). A deep run directory reaches the runroot through a /run link; conmon's
// TMPDIR stays the real directory while the socket fits, because runsc refuses to make its
// sandbox's chroot through a symbolic link (every podman case failed on it from a deep
// --workdir).
import { describe, expect, it } from 'vitest';
import { PodmanStore } from '../../harness/engines/podman.js';

const store = (dir: string) => new PodmanStore(dir, 'abc123');

describe("podman store's short paths", () => {
  it('uses the run directory itself when it is short', () => {
    const s = store('/tmp/conform-x/services/podman');
    expect(s.runroot).toBe('/tmp/conform-x/services/podman/runroot');
    expect(s.conmonTmp).toBe('/tmp/conform-x/services/podman/runroot/conmon');
  });

  it('reaches a deep runroot through the /run link, but keeps the real TMPDIR while a console socket fits in it', () => {
    const dir = `/tmp/${'d'.repeat(40)}/services/podman`;
    const s = store(dir);
    expect(s.runroot).toBe('/run/conform-podman-abc123');
    expect(s.conmonTmp).toBe(`${dir}/runroot/conmon`);
    expect(`${s.conmonTmp}/conmon-term.XXXXXX`.length).toBeLessThanOrEqual(107);
  });

  it('takes the TMPDIR through the link too when the real one leaves no room for the socket', () => {
    const s = store(`/tmp/${'d'.repeat(80)}/services/podman`);
    expect(s.conmonTmp).toBe('/run/conform-podman-abc123/conmon');
  });
});
