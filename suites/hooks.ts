// config.md "POSIX-platform Hooks" and runtime.md "Lifecycle": the six kinds of hook,
// when and where each runs, what it is given, and what its failure does.
import failures from './hooks/failures.js';
import fields from './hooks/fields.js';
import when from './hooks/when.js';

export default [...when, ...fields, ...failures];
