// The seccomp piece of the runtime: config → BPF program, and the lists `features` reports.
export { compileSeccomp, seccompFilter, withTsync, type CompiledSeccomp, type SeccompFilter } from './compile.js';
export { SUPPORTED_ACTIONS, SUPPORTED_ARCHES, SUPPORTED_FLAGS, SUPPORTED_OPERATORS, SECCOMP_FILTER_FLAG, SECCOMP_RET } from './constants.js';
export type { SeccompArg, SeccompConfig, SeccompSyscall } from './types.js';
