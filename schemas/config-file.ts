// Reading a bundle's config.json safely, for `conform validate` and the reference
// runtime alike: whatever sits at that name (a FIFO, /dev/zero, a symlink to either,
// a huge file, a directory), the read ends at once with a one-line reason, and text
// nested too deep for the validators (which recurse) is refused before they see it.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Far more than any real config (seccomp profiles are tens of KiB). */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** config.json nests about 8 levels; unknown extensions may add some, never hundreds. */
export const MAX_CONFIG_DEPTH = 256;

/** Why config.json could not be read; `message` is one line, without the file name. */
export class ConfigFileError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The text of `file`: a regular file (a symlink to one is followed) of at most
 * MAX_CONFIG_BYTES. O_NONBLOCK so that opening a FIFO cannot wait for a writer.
 */
export function readConfigFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigFileError(code === 'ENOENT' ? 'not found' : `cannot be opened (${code ?? String(err)})`, code);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigFileError(`must be a regular file, and it is ${kind(st)}`);
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigFileError(`is ${st.size} bytes: at most ${MAX_CONFIG_BYTES} are read`);
    // Read to the end, but never past the limit: the file may grow while we read.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(1 << 20, MAX_CONFIG_BYTES + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > MAX_CONFIG_BYTES) throw new ConfigFileError(`is larger than ${MAX_CONFIG_BYTES} bytes`);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof ConfigFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigFileError(`cannot be read (${code ?? String(err)})`, code);
  } finally {
    closeSync(fd);
  }
}

/** Whether arrays and objects in the JSON `text` nest deeper than `limit` (strings skipped). */
export function nestedDeeperThan(text: string, limit = MAX_CONFIG_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** One line for what a non-object config is (`null`, `an array`…). */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
