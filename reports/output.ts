// Opening and closing a report's destination, so that reporters only ever write: `-` is
// standard output (never closed: others may still write to it), anything else is a file,
// created with its folder when the run starts (a wrong path fails before any case runs).
//
// Writes are synchronous. A report is written at the end of a run or as cases finish, a
// few kilobytes at a time, and a second Ctrl-C exits at once: whatever a reporter wrote
// before that (the partial reports it is given then) must already be in the file, not in
// a stream's queue. (Standard output is too when it is a file or a terminal; a pipe may
// hold back what its reader has not taken yet.)

import { closeSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TextOut } from '../harness/run/reporter.js';

export interface Output {
  stream: TextOut;
  /** Closes a file; rejects with the first write error there was. */
  close(): Promise<void>;
}

export function openOutput(target: string): Output {
  if (target === '-') {
    return {
      stream: process.stdout,
      close: () => new Promise((resolve, reject) => process.stdout.write('', (e) => (e ? reject(e) : resolve()))),
    };
  }
  makeDirs(dirname(target));
  let fd: number | undefined;
  try {
    fd = openSync(target, 'w');
  } catch (error) {
    throw new Error(`cannot write ${target}: ${(error as Error).message}`, { cause: error });
  }
  let failure: Error | undefined;
  const stream: TextOut = {
    write(chunk, callback) {
      if (fd === undefined) failure ??= new Error(`cannot write ${target}: already closed`);
      else if (!failure) {
        try {
          writeSync(fd, chunk);
        } catch (error) {
          failure = new Error(`cannot write ${target}: ${(error as Error).message}`, { cause: error });
        }
      }
      callback?.(failure ?? null);
      return !failure;
    },
  };
  return {
    stream,
    async close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      if (failure) throw failure;
    },
  };
}

/** Writes a whole report (`-`: standard output), creating its folder. */
export function writeReport(target: string, text: string): void {
  if (target === '-') {
    process.stdout.write(text);
    return;
  }
  makeDirs(dirname(target));
  try {
    writeFileSync(target, text);
  } catch (error) {
    throw new Error(`cannot write ${target}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync spins forever under
 * /proc (a path such as /proc/x/report.json), where each level fails with ENOENT.
 */
function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir);
  } catch (error) {
    throw new Error(`cannot create ${dir} for a report: ${(error as Error).message}`, { cause: error });
  }
}
