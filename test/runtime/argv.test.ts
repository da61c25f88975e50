// The runtime's command line parser (runtime/argv.ts), on the runtime's own table
// (runtime/cli.ts) and with the command lines engines pass (containerd's runc shim,
// podman through conmon), without running anything.
import { describe, expect, it } from 'vitest';
import { parse, type Parsed } from '../../runtime/argv.js';
import { program } from '../../runtime/cli.js';

const run = (...argv: string[]): Extract<Parsed, { kind: 'run' }> => {
  const p = parse(program, argv);
  if (p.kind !== 'run') throw new Error(`expected a command to run, got ${JSON.stringify(p)}`);
  return p;
};
const error = (...argv: string[]): string => {
  const p = parse(program, argv);
  if (p.kind !== 'error') throw new Error(`expected a usage error, got ${JSON.stringify(p)}`);
  expect(p.message).not.toContain('\n');
  return p.message;
};
const help = (...argv: string[]): string => {
  const p = parse(program, argv);
  if (p.kind !== 'help' || p.exitCode !== 0) throw new Error(`expected the help, got ${JSON.stringify(p)}`);
  return p.text;
};

describe('global options', () => {
  it('come before the command word, with their defaults', () => {
    expect(run('state', 'c1').globals).toEqual({ root: '/run/conform-runtime', logFormat: 'text' });
    const p = run('--root', '/r', '--log', '/l.json', '--log-format=json', '--debug', '--systemd-cgroup', 'state', 'c1');
    expect(p.globals).toEqual({ root: '/r', log: '/l.json', logFormat: 'json', debug: true, systemdCgroup: true });
    expect(p).toMatchObject({ command: 'state', args: ['c1'] });
  });

  it('are not options of the command', () => {
    expect(error('state', '--root', '/r', 'c1')).toBe("unknown option '--root'");
  });

  it('refuse a format that is not a choice, and keep what came before for the log', () => {
    const p = parse(program, ['--log', '/l', '--log-format', 'xml', 'state', 'c1']);
    expect(p).toMatchObject({ kind: 'error', message: expect.stringMatching(/--log-format.*'xml'.*text, json/) as unknown, globals: { log: '/l' } });
  });

  it('need their value', () => {
    expect(error('--root')).toMatch(/^option '--root <dir>' argument missing$/);
    expect(error('--debug=yes', 'state', 'x')).toMatch(/--debug.*takes no value/);
  });

  it('-v and --version print the version, -h and --help the help, whatever follows', () => {
    expect(parse(program, ['-v'])).toEqual({ kind: 'version' });
    expect(parse(program, ['--version', 'state', 'x'])).toEqual({ kind: 'version' });
    expect(help('-h', 'state')).toMatch(/^Usage: conform-runtime \[options\] \[command\]/);
    expect(help('--help')).toContain('--root <dir>');
  });

  it('without a command: the help, as an error', () => {
    expect(parse(program, [])).toMatchObject({ kind: 'help', exitCode: 1 });
    expect(parse(program, ['--root', '/r'])).toMatchObject({ kind: 'help', exitCode: 1 });
  });
});

describe('commands', () => {
  it('unknown ones are a usage error', () => {
    expect(error('frobnicate', 'x')).toBe("unknown command 'frobnicate'");
  });

  it('arguments: missing, too many, optional with its default', () => {
    expect(error('state')).toBe("missing required argument 'id'");
    expect(error('state', 'a', 'b')).toMatch(/^too many arguments for 'state'/);
    expect(error('features', 'x')).toMatch(/^too many arguments for 'features'/);
    expect(run('kill', 'c1').args).toEqual(['c1', 'SIGTERM']);
    expect(run('kill', 'c1', '9').args).toEqual(['c1', '9']);
    expect(run('kill', 'c1', '-9').args).toEqual(['c1', '-9']);
  });

  it("containerd's and podman's command lines", () => {
    expect(run('create', '--bundle', '/b', '--pid-file', '/p', '--console-socket', '/s', 'c1')).toMatchObject({
      args: ['c1'],
      options: { bundle: '/b', pidFile: '/p', consoleSocket: '/s' },
    });
    expect(run('exec', '--process', '/f', '--detach', '--pid-file', '/p', 'c1')).toMatchObject({
      args: ['c1'],
      options: { process: '/f', detach: true, pidFile: '/p' },
    });
    expect(run('delete', '--force', 'c1').options).toEqual({ force: true });
    expect(run('delete', 'c1', '-f').options).toEqual({ force: true });
    expect(run('kill', '--all', 'c1', '9')).toMatchObject({ args: ['c1', '9'], options: { all: true } });
    expect(run('ps', '--format', 'json', 'c1')).toMatchObject({ args: ['c1'], options: { format: 'json' } });
    expect(run('create', '--no-pivot', '--no-new-keyring', '-b', '/b', 'c1').options).toMatchObject({ noPivot: true, noNewKeyring: true, bundle: '/b' });
  });

  it('options: --opt=value, -o value, -ovalue, clusters of flags, choices', () => {
    expect(run('list', '--format=json').options).toEqual({ format: 'json' });
    expect(run('list').options).toEqual({ format: 'table' });
    expect(run('list', '-qfjson').options).toEqual({ format: 'json', quiet: true });
    expect(run('exec', '-dt', '--console-socket', '/s', 'c1', 'sh').options).toMatchObject({ detach: true, tty: true, consoleSocket: '/s' });
    expect(error('list', '-f', 'xml')).toMatch(/^option '-f, --format <format>' argument 'xml' is invalid/);
    expect(error('list', '--bogus')).toBe("unknown option '--bogus'");
    expect(error('delete', '-fx', 'c1')).toMatch(/unknown option '-x'/);
    expect(error('create', '--bundle')).toMatch(/argument missing/);
    expect(run('update', 'c1', '--cpu-quota', '-1', '--memory=1g').options).toEqual({ cpuQuota: '-1', memory: '1g' });
    expect(run('events', 'c1').options).toEqual({ interval: '5s' });
  });

  it('exec: repeatable options collect, --no-new-privs, the command keeps its own options', () => {
    const p = run(
      'exec',
      '-e',
      'A=1',
      '--env',
      'B=2',
      '-g',
      '10',
      '-c',
      'CAP_KILL',
      '--cap=CAP_CHOWN',
      '--no-new-privs',
      'c1',
      'sh',
      '-c',
      'echo -e x',
      '--',
      '-h',
    );
    expect(p.args).toEqual(['c1', 'sh', '-c', 'echo -e x', '--', '-h']);
    expect(p.options).toEqual({ env: ['A=1', 'B=2'], additionalGids: ['10'], cap: ['CAP_KILL', 'CAP_CHOWN'], noNewPrivs: true });
    expect(run('exec', 'c1').options).toEqual({ env: [], additionalGids: [], cap: [] });
    expect(run('ps', 'c1', '-o', 'pid,comm')).toMatchObject({ args: ['c1', '-o', 'pid,comm'], options: { format: 'table' } });
  });

  it('-- ends the options', () => {
    expect(run('state', '--', '-x').args).toEqual(['-x']);
  });

  it('checkpoint and restore take anything (their action refuses)', () => {
    expect(run('checkpoint', '--image-path', '/i', '-x', 'c1')).toMatchObject({ command: 'checkpoint', args: ['--image-path', '/i', '-x', 'c1'] });
    expect(run('restore')).toMatchObject({ command: 'restore', args: [] });
  });
});

describe('help', () => {
  it('lists each command on a line of its own, two spaces and its name first', () => {
    const text = help('--help');
    const listed = [...text.slice(text.indexOf('Commands:')).matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]);
    expect(listed).toEqual([...program.commands.map((c) => c.name), 'help']);
    expect(text).not.toContain('systemd-cgroup');
  });

  it('per command: usage, arguments with defaults, options without the hidden ones', () => {
    for (const text of [help('kill', '--help'), help('help', 'kill'), help('kill', 'c1', '-h')]) {
      expect(text).toMatch(/^Usage: conform-runtime kill \[options\] <id> \[signal\]\n/);
      expect(text).toMatch(/^ {2}signal +name .*\(default: "SIGTERM"\)$/m);
      expect(text).toMatch(/^ {2}-a, --all +signal every process/m);
    }
    expect(help('create', '--help')).not.toContain('no-pivot');
    expect(help('exec', '--help')).toMatch(/^ {2}-e, --env <K=V> +add an environment variable \(repeatable\)$/m);
    expect(help('help')).toMatch(/^Usage: conform-runtime \[options\] \[command\]/);
    expect(error('help', 'frobnicate')).toBe("unknown command 'frobnicate'");
  });

  it('after exec and ps their id, -h is the command line’s', () => {
    expect(run('exec', 'c1', 'ls', '-h').args).toEqual(['c1', 'ls', '-h']);
  });
});
