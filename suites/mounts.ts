// config.md "Mounts" and "Linux mount options": the cases live in suites/mounts/,
// one file per concern. Each option case needs the runtime's features to list the
// options it uses; that every listed option is recognised is features.mount-options.
import type { Case } from '../harness/case/case.js';
import bind from './mounts/bind.js';
import data from './mounts/data.js';
import idmap from './mounts/idmap.js';
import layout from './mounts/layout.js';
import options from './mounts/options.js';
import propagation from './mounts/propagation.js';
import recursive from './mounts/recursive.js';

export default [...bind, ...layout, ...data, ...options, ...propagation, ...recursive, ...idmap] as Case[];
