// Where containerd 1.6 puts a container's shim socket: conform removes the ones of shims it
// had to kill (harness/engines/containerd.ts), and only those, so the name must be the
// shim's own. The expected value was read from a running shim on containerd 1.6.20
// (Debian): `ctr --address /tmp/lead/ctrd/c.sock --namespace repro run -d … hashtest`
// made /run/containerd/s/eabbd609…, the sha256 of "<address>/<namespace>/<id>".
import { describe, expect, it } from 'vitest';
import { shimSocket } from '../../harness/engines/containerd.js';

describe("containerd's shim socket", () => {
  it('is /run/containerd/s/<sha256 of address/namespace/id>, as the shim names it', () => {
    expect(shimSocket('/tmp/lead/ctrd/c.sock', 'repro', 'hashtest')).toBe('/run/containerd/s/eabbd6090b6b75a9ad1b57d56a78281f5a24d7c1ed0139e5187eb67cf55c12ae');
  });

  it('differs with the address, the namespace and the id', () => {
    const base = shimSocket('/a/c.sock', 'ns', 'id');
    expect(new Set([base, shimSocket('/b/c.sock', 'ns', 'id'), shimSocket('/a/c.sock', 'ns2', 'id'), shimSocket('/a/c.sock', 'ns', 'id2')]).size).toBe(4);
  });
});
