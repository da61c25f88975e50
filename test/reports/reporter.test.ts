import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { openOutput } from '../../reports/output.js';
import { fanOut, writeAndFlush, type Reporter } from '../../harness/run/reporter.js';
import { tapReporter } from '../../reports/tap.js';
import { RUNTIME, result, summary } from './factory.js';

/** A reporter that logs every call as `name:method:arg`, and can be told to throw. */
function spy(name: string, log: string[], failOn?: 'caseFinished' | 'finish'): Reporter {
  return {
    name,
    start: (plan) => void log.push(`${name}:start:${plan.total}`),
    caseStarted: (id) => void log.push(`${name}:caseStarted:${id}`),
    caseFinished: (r) => {
      log.push(`${name}:caseFinished:${r.id}`);
      if (failOn === 'caseFinished') throw new Error('disk full');
    },
    async finish(s) {
      await new Promise((resolve) => setTimeout(resolve, name === 'slow' ? 20 : 0));
      log.push(`${name}:finish:${s.results.length}`);
      if (failOn === 'finish') throw new Error('cannot write');
    },
  };
}

describe('fanOut', () => {
  test('forwards every call to every reporter, in order', async () => {
    const log: string[] = [];
    const both = fanOut([spy('a', log), spy('b', log)]);
    both.start({ total: 1, runtime: RUNTIME });
    both.caseStarted?.('x.one');
    both.caseFinished(result('x.one'));
    await both.finish(summary([result('x.one')]));
    expect(log).toEqual([
      'a:start:1',
      'b:start:1',
      'a:caseStarted:x.one',
      'b:caseStarted:x.one',
      'a:caseFinished:x.one',
      'b:caseFinished:x.one',
      'a:finish:1',
      'b:finish:1',
    ]);
    expect(both.name).toBe('a+b');
  });

  test('reporters without caseStarted are skipped for that call', () => {
    const log: string[] = [];
    const { caseStarted: _, ...noStart } = spy('quiet', log);
    fanOut([noStart, spy('b', log)]).caseStarted?.('x.one');
    expect(log).toEqual(['b:caseStarted:x.one']);
  });

  test('one reporter throwing does not starve the others, and the error names it', () => {
    const log: string[] = [];
    const both = fanOut([spy('tap', log, 'caseFinished'), spy('console', log)]);
    expect(() => both.caseFinished(result('x.one'))).toThrow('tap reporter failed: disk full');
    expect(log).toEqual(['tap:caseFinished:x.one', 'console:caseFinished:x.one']);
  });

  test('finish waits for every reporter before reporting failures together', async () => {
    const log: string[] = [];
    const all = fanOut([spy('junit', log, 'finish'), spy('slow', log), spy('json', log, 'finish')]);
    const error = await all.finish(summary([])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).message).toBe('junit reporter failed: cannot write; json reporter failed: cannot write');
    expect(log).toContain('slow:finish:0');
  });
});

describe('writeAndFlush', () => {
  const failing = (error: Error) => {
    const w = new Writable({ write: (_chunk, _enc, cb) => cb(error) });
    w.on('error', () => {});
    return w;
  };
  test('rejects with the stream error', async () => {
    await expect(writeAndFlush(failing(Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' })), 'x')).rejects.toThrow('ENOSPC');
  });
  test('resolves when the reader went away (EPIPE): what was for it is dropped', async () => {
    await expect(writeAndFlush(failing(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), 'x')).resolves.toBeUndefined();
  });
  test('resolves when the terminal went away (EIO after its hangup)', async () => {
    await expect(writeAndFlush(failing(Object.assign(new Error('write EIO'), { code: 'EIO' })), 'x')).resolves.toBeUndefined();
  });
});

describe('openOutput', () => {
  const made: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'conform-reports-'));
    made.push(d);
    return d;
  };
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('creates the folder, and close resolves once the report is on disk', async () => {
    const path = join(tmp(), 'nested/deeper/run.tap');
    const output = openOutput(path);
    const reporter = tapReporter(output.stream);
    reporter.start({ total: 1, runtime: RUNTIME });
    reporter.caseFinished(result('x.one'));
    await reporter.finish(summary([result('x.one')]));
    await output.close();
    expect(readFileSync(path, 'utf8')).toMatch(/^TAP version 13\n[\s\S]*\n1\.\.1\n/);
  });

  test('a path that cannot be written is refused when it is opened, with the path in the message', () => {
    const folder = tmp();
    expect(() => openOutput(folder)).toThrow(`cannot write ${folder}`); // a folder, not a file: EISDIR
  });

  test('writes are on disk as soon as they are made: a second Ctrl-C exits without losing them', () => {
    const path = join(tmp(), 'run.json');
    const output = openOutput(path);
    output.stream.write('{"partial":');
    expect(readFileSync(path, 'utf8')).toBe('{"partial":');
  });
});
