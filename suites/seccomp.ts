// config-linux.md "Seccomp": the filter is enforced, not just accepted. Each case
// gives one syscall busybox can drive (mkdir, chmod, renice → setpriority, the
// shell's kill builtin) a rule, runs it from the probe and reads back how it ended:
// the exact errno (glibc's message), death by SIGSYS (status 159), or success.
import actions from './seccomp/actions.js';
import architectures from './seccomp/architectures.js';
import flags from './seccomp/flags.js';
import listener from './seccomp/listener.js';
import invalid from './seccomp/invalid.js';
import names from './seccomp/names.js';

export default [...actions, ...architectures, ...flags, ...listener, ...invalid, ...names];
