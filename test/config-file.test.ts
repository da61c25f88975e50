// Reading config.json whatever sits at that name (schemas/config-file.ts), shared by
// `conform validate` and the reference runtime.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, nestedDeeperThan, readConfigFile } from '../schemas/config-file.js';
import { errorOf as error } from './helpers/error-of.js';

const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readConfigFile', () => {
  it('reads a regular file, and one behind a symlink', () => {
    writeFileSync(join(dir, 'plain.json'), '{"a":1}');
    symlinkSync(join(dir, 'plain.json'), join(dir, 'link.json'));
    expect(readConfigFile(join(dir, 'link.json'))).toBe('{"a":1}');
  });

  it('refuses at once what is not a regular file: a FIFO (which would hang), /dev/zero (which never ends), a directory', () => {
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    expect(error(() => readConfigFile(join(dir, 'fifo.json')))).toBe('must be a regular file, and it is a FIFO');
    symlinkSync('/dev/zero', join(dir, 'zero.json'));
    expect(error(() => readConfigFile(join(dir, 'zero.json')))).toBe('must be a regular file, and it is a character device');
    mkdirSync(join(dir, 'dir.json'));
    expect(error(() => readConfigFile(join(dir, 'dir.json')))).toBe('must be a regular file, and it is a directory');
    expect(error(() => readConfigFile(join(dir, 'missing.json')))).toBe('not found');
  });

  it('reads no more than MAX_CONFIG_BYTES', () => {
    writeFileSync(join(dir, 'huge.json'), Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    expect(error(() => readConfigFile(join(dir, 'huge.json')))).toMatch(/^is \d+ bytes: at most \d+ are read$/);
  });
});

describe('nestedDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestedDeeperThan('[[[]]]', 3)).toBe(false);
    expect(nestedDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(nestedDeeperThan('{"a":"[[[[[[\\"[[[["}', 2)).toBe(false);
    expect(nestedDeeperThan(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(true);
  });
});
