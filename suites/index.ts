// Every conformance case, by area (one file per spec area).
import type { Case } from '../harness/case.js';
import lifecycle from './lifecycle.js';
import process from './process.js';
import state from './state.js';

export const ALL_CASES: readonly Case[] = [...lifecycle, ...state, ...process];
