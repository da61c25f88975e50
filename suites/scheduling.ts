// config.md "Linux Process" (scheduler, ioPriority) and config-linux.md "Personality"
// and "Memory policy": per-process attributes the kernel shows in /proc/$$. Each field
// came after runtime-spec 1.0.0: a runtime whose features says it implements an older
// release skips (config.md's Extensibility lets it ignore what it does not know).
// execCPUAffinity concerns processes the runtime exec's into a running container, an
// operation the spec does not define: no case here.
import type { Case } from '../harness/case/case.js';
import ioPriority from './scheduling/io-priority.js';
import memoryPolicy from './scheduling/memory-policy.js';
import personality from './scheduling/personality.js';
import scheduler from './scheduling/scheduler.js';

export default [...scheduler, ...ioPriority, ...personality, ...memoryPolicy] as Case[];
