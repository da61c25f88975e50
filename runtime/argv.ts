// The runtime's command line parser: a table of commands and options in, what to run
// (or the help, the version, a one-line usage error) out. Our own rather than commander
// because every runtime call is a Node boot: commander was half of each command's
// bundle, and building its objects for every command cost milliseconds per call.
//
// runc's conventions (engines depend on them): the global options come before the
// command word only, a command's options may follow its arguments, a command marked
// passThrough ends its options at its first argument (`exec ID sh -c x` runs `sh -c x`),
// `--` ends the options, `--opt=value` and `--opt value`, short flags cluster (`-dt`),
// and a short option takes the rest of its word as its value (`-fjson`).

/** An option: `--pid-file <file>` is { long: 'pid-file', value: 'file' }, read as `pidFile`. */
export interface OptionSpec {
  long: string;
  short?: string;
  /** What the value is called in the help; an option without one is a flag. */
  value?: string;
  /** Hidden from the help when absent (accepted for callers that pass runc's flags). */
  help?: string;
  default?: string;
  choices?: readonly string[];
  /** Each use adds a value to a list (default: empty). */
  repeatable?: boolean;
}

export interface ArgumentSpec {
  name: string;
  help?: string;
  optional?: boolean;
  /** The last argument: takes the remaining words. */
  variadic?: boolean;
  default?: string;
}

export interface CommandSpec {
  name: string;
  description: string;
  arguments?: readonly ArgumentSpec[];
  options?: readonly OptionSpec[];
  /** Options end at the first argument: the words after it are arguments, dashes and all. */
  passThrough?: boolean;
  /** Any option and any number of arguments (commands that only refuse). */
  lenient?: boolean;
}

export interface ProgramSpec {
  name: string;
  description: string;
  /** The global options; one with long 'version' prints the version. */
  options: readonly OptionSpec[];
  commands: readonly CommandSpec[];
}

/** Option values by camelCased long name; flags are true, repeatables lists. */
export type Values = Record<string, string | true | string[]>;

export type Parsed =
  | { kind: 'run'; command: string; globals: Values; options: Values; args: string[] }
  /** exitCode 1: no command was given, and the help goes to stderr. */
  | { kind: 'help'; text: string; exitCode: 0 | 1 }
  | { kind: 'version' }
  /** `globals`: what was parsed before the error, for its --log. */
  | { kind: 'error'; message: string; globals: Values };

class UsageError extends Error {}

const HELP: OptionSpec = { long: 'help', short: 'h', help: 'display help for command' };
const HELP_COMMAND: CommandSpec = {
  name: 'help',
  description: 'display help for command',
  arguments: [{ name: 'command', optional: true }],
};

export function parse(program: ProgramSpec, argv: readonly string[]): Parsed {
  const globals = defaults(program.options);
  try {
    const top = scan(argv, program.options, globals, { passThrough: true, exits: ['help', 'version'] });
    if (top.exit === 'version') return { kind: 'version' };
    if (top.exit === 'help') return { kind: 'help', text: programHelp(program), exitCode: 0 };
    const [word, ...rest] = top.operands;
    if (word === undefined) return { kind: 'help', text: programHelp(program), exitCode: 1 };
    if (word === 'help') {
      const [name, ...extra] = scan(rest, [], {}, { exits: ['help'] }).operands;
      if (extra.length > 0) throw new UsageError(`too many arguments for 'help': expected at most 1, got ${extra.length + 1}`);
      if (name === undefined || name === 'help') return { kind: 'help', text: name ? commandHelp(program, HELP_COMMAND) : programHelp(program), exitCode: 0 };
      return { kind: 'help', text: commandHelp(program, find(program, name)), exitCode: 0 };
    }
    const command = find(program, word);
    const options = defaults(command.options ?? []);
    const sub = scan(rest, command.options ?? [], options, { passThrough: command.passThrough, lenient: command.lenient, exits: ['help'] });
    if (sub.exit === 'help') return { kind: 'help', text: commandHelp(program, command), exitCode: 0 };
    return { kind: 'run', command: command.name, globals, options, args: command.lenient ? sub.operands : bind(command, sub.operands) };
  } catch (err) {
    if (err instanceof UsageError) return { kind: 'error', message: err.message, globals };
    throw err;
  }
}

function find(program: ProgramSpec, name: string): CommandSpec {
  const command = program.commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command '${name}'`);
  return command;
}

/** `pid-file` → `pidFile`. */
export const key = (long: string): string => long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function defaults(specs: readonly OptionSpec[]): Values {
  const values: Values = {};
  for (const s of specs) {
    if (s.repeatable) values[key(s.long)] = [];
    else if (s.default !== undefined) values[key(s.long)] = s.default;
  }
  return values;
}

/** A word that is an argument although it starts with a dash: `-`, and negative numbers (`kill ID -9`, `--cpu-quota -1`). */
const NOT_AN_OPTION = /^-(\d+(\.\d+)?)?$/;

/**
 * Reads the options in `words` into `values` and returns the other words (operands).
 * passThrough: the first operand ends the options (the global options end at the
 * command word). Stops at the first option named in `exits` (--help, --version).
 */
function scan(
  words: readonly string[],
  specs: readonly OptionSpec[],
  values: Values,
  mode: { passThrough?: boolean; lenient?: boolean; exits: readonly string[] },
): { operands: string[]; exit?: string } {
  const operands: string[] = [];
  const all = mode.exits.includes('help') ? [...specs, HELP] : specs;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '--') {
      operands.push(...words.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || NOT_AN_OPTION.test(word)) {
      if (mode.passThrough) {
        operands.push(...words.slice(i));
        break;
      }
      operands.push(word);
      continue;
    }
    // What follows the option word, for an option that takes a value.
    const next = (spec: OptionSpec): string => {
      if (i + 1 >= words.length) throw new UsageError(`option '${flags(spec)}' argument missing`);
      return words[++i];
    };
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const spec = all.find((s) => s.long === name);
      if (!spec) {
        if (mode.lenient) operands.push(word);
        else throw new UsageError(`unknown option '${word}'`);
        continue;
      }
      if (mode.exits.includes(spec.long)) return { operands, exit: spec.long };
      if (spec.value === undefined && eq >= 0) throw new UsageError(`option '${flags(spec)}' takes no value`);
      set(values, spec, spec.value === undefined ? true : eq >= 0 ? word.slice(eq + 1) : next(spec));
      continue;
    }
    // A cluster of short options: flags, the last of which may take a value (`-dt`, `-fjson`, `-f json`).
    for (let j = 1; j < word.length; j++) {
      const spec = all.find((s) => s.short === word[j]);
      if (!spec) {
        if (!mode.lenient) throw new UsageError(`unknown option '-${word[j]}'${word.length > 2 ? ` (in '${word}')` : ''}`);
        operands.push(word);
        break;
      }
      if (mode.exits.includes(spec.long)) return { operands, exit: spec.long };
      if (spec.value === undefined) {
        set(values, spec, true);
        continue;
      }
      set(values, spec, j + 1 < word.length ? word.slice(j + 1) : next(spec));
      break;
    }
  }
  return { operands };
}

function set(values: Values, spec: OptionSpec, value: string | true): void {
  const k = key(spec.long);
  if (typeof value === 'string' && spec.choices && !spec.choices.includes(value))
    throw new UsageError(`option '${flags(spec)}' argument '${value}' is invalid: allowed choices are ${spec.choices.join(', ')}`);
  const old = values[k];
  values[k] = spec.repeatable && typeof value === 'string' ? [...(Array.isArray(old) ? old : []), value] : value;
}

/** The operands as the command's arguments: optional ones defaulted, the variadic one spread. */
function bind(command: CommandSpec, operands: string[]): string[] {
  const specs = command.arguments ?? [];
  const args: string[] = [];
  for (const [n, spec] of specs.entries()) {
    if (spec.variadic) return [...args, ...operands.slice(n)];
    const value = operands[n] ?? spec.default;
    if (value === undefined && !spec.optional) throw new UsageError(`missing required argument '${spec.name}'`);
    if (value !== undefined) args.push(value);
  }
  if (operands.length > specs.length) {
    const expected = `${specs.length} argument${specs.length === 1 ? '' : 's'}`;
    throw new UsageError(`too many arguments for '${command.name}': expected ${expected}, got ${operands.length}`);
  }
  return args;
}

// The help: plain columns, one line per entry (`  create [options] <id>  …`: a command's
// line starts with two spaces and its name).

function flags(s: OptionSpec): string {
  return `${s.short ? `-${s.short}, ` : ''}--${s.long}${s.value !== undefined ? ` <${s.value}>` : ''}`;
}

function optionHelp(s: OptionSpec): string {
  const notes = [...(s.choices ? [`choices: ${s.choices.join(', ')}`] : []), ...(s.default !== undefined ? [`default: ${JSON.stringify(s.default)}`] : [])];
  return `${s.help ?? ''}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

function argumentTerm(a: ArgumentSpec): string {
  const name = `${a.name}${a.variadic ? '...' : ''}`;
  return a.optional ? `[${name}]` : `<${name}>`;
}

function commandTerm(c: CommandSpec, withOptions: boolean): string {
  return [c.name, ...(withOptions ? ['[options]'] : []), ...(c.arguments ?? []).map(argumentTerm)].join(' ');
}

function columns(title: string, rows: readonly (readonly [string, string])[]): string {
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map(([term]) => term.length));
  return `\n${title}:\n${rows.map(([term, text]) => (text ? `  ${term.padEnd(width)}  ${text}` : `  ${term}`).trimEnd()).join('\n')}\n`;
}

const visible = (specs: readonly OptionSpec[]): OptionSpec[] => [...specs.filter((s) => s.help !== undefined), HELP];

function programHelp(p: ProgramSpec): string {
  const options = visible(p.options).map((s) => [flags(s), optionHelp(s)] as const);
  const hasOptions = (c: CommandSpec): boolean => (c.options ?? []).some((s) => s.help !== undefined);
  const commands = [...p.commands, HELP_COMMAND].map((c) => [commandTerm(c, hasOptions(c)), c.description] as const);
  return `Usage: ${p.name} [options] [command]\n\n${p.description}\n${columns('Options', options)}${columns('Commands', commands)}`;
}

function commandHelp(p: ProgramSpec, c: CommandSpec): string {
  const args = (c.arguments ?? []).map((a) => [a.name, `${a.help ?? ''}${a.default !== undefined ? ` (default: ${JSON.stringify(a.default)})` : ''}`] as const);
  const options = visible(c.options ?? []).map((s) => [flags(s), optionHelp(s)] as const);
  return `Usage: ${p.name} ${commandTerm(c, true)}\n\n${c.description}\n${columns('Arguments', args)}${columns('Options', options)}`;
}
