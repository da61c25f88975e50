// (being written)
import type { Case } from '../harness/case.js';

export default [] as Case[];
