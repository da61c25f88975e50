// Opening and closing a report's destination, so that reporters only ever write: `-` is
// standard output (never closed: others may still write to it), anything else is a file,
// created with its folder.

import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type { TextOut } from './reporter.js';

export interface Output {
  stream: TextOut;
  /** Flushes, and closes a file; rejects with the first write error the stream had. */
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
  const file = createWriteStream(target);
  let failure: Error | undefined;
  // Without a listener an I/O error would crash the whole run; keep it for close().
  file.on('error', (error) => {
    failure ??= new Error(`cannot write ${target}: ${error.message}`, { cause: error });
  });
  return {
    stream: file,
    async close() {
      if (!file.destroyed) file.end();
      try {
        await finished(file);
      } catch (error) {
        throw failure ?? error;
      }
      if (failure) throw failure;
    },
  };
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
