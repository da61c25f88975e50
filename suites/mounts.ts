// config.md "Mounts" and "Linux mount options", features.md "Mount Options": the
// cases live in suites/mounts/, one file per concern.
import type { Case } from '../harness/case.js';
import bind from './mounts/bind.js';
import data from './mounts/data.js';
import idmap from './mounts/idmap.js';
import layout from './mounts/layout.js';
import listed from './mounts/listed.js';
import options from './mounts/options.js';
import propagation from './mounts/propagation.js';
import recursive from './mounts/recursive.js';

export default [...bind, ...layout, ...data, ...options, ...propagation, ...recursive, ...idmap, ...listed] as Case[];
