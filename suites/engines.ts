// Real engines driving the runtime under test: podman (through conmon) and containerd
// (through its runc shim), each operation a case. These check the runc command-line
// convention engines are built on, beyond the spec (see suites/README.md): a failure
// here breaks no requirement of the spec, and reports say so.
import podman from './engines/podman.js';
import containerd from './engines/containerd.js';

export default [...podman, ...containerd];
