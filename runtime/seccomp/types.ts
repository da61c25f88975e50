// The input is linux.seccomp as the schema types it (schemas/config-linux.ts), widened
// in one place: uint64 argument values may also be bigint, for a config read with a
// big-integer-aware parser (JSON.parse rounds values past 2^53). The compiler checks
// every value itself, with the config path in its errors, since the core may hand it
// a config that only passed JSON.parse.
import type { Seccomp, SeccompArg as SchemaSeccompArg, SeccompSyscall as SchemaSeccompSyscall } from '../../schemas/config.js';

export type SeccompArg = Omit<SchemaSeccompArg, 'value' | 'valueTwo'> & { value: number | bigint; valueTwo?: number | bigint };
export type SeccompSyscall = Omit<SchemaSeccompSyscall, 'args'> & { args?: SeccompArg[] };
export type SeccompConfig = Omit<Seccomp, 'syscalls'> & { syscalls?: SeccompSyscall[] };
