import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

/**
 * One flag of a command. The same table drives `parseArgs` and the `--help` text, so the help
 * lists every option with its default by construction.
 */
export interface OptionSpec {
  /** Long name without dashes: `n-docs`. */
  name: string;
  /** Placeholder of the value (`N`, `DIR`, `token|sequence`); absent for a boolean switch. */
  value?: string;
  multiple?: boolean;
  required?: boolean;
  description: string;
  /** The default as a person reads it: `5`, `false`, `n_docs of the model's config.json`. */
  default?: string;
}

export interface CommandSpec {
  name: string;
  /** A few words for the list of commands in `rag --help`. */
  brief: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  /** Extra paragraphs after the options (output format, notes). */
  notes?: string[];
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export const HELP_OPTION: OptionSpec = { name: 'help', description: 'show this help and exit', default: 'false' };

/** Parses `args` against the command's table; unknown flags, stray words and missing required flags are UsageErrors. */
export function parseCommand(spec: CommandSpec, args: string[]): ParsedValues | 'help' {
  const options = Object.fromEntries(
    [...spec.options, HELP_OPTION].map((o) => [o.name, { type: o.value ? ('string' as const) : ('boolean' as const), multiple: o.multiple ?? false }]),
  );
  let values: ParsedValues;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as ParsedValues;
  } catch (err) {
    throw new UsageError(`rag ${spec.name}: ${(err as Error).message.split('\n')[0]} (see rag ${spec.name} --help)`);
  }
  if (values.help) return 'help';
  for (const o of spec.options) {
    if (o.required && values[o.name] === undefined) {
      throw new UsageError(`rag ${spec.name}: --${o.name}${o.value ? ` ${o.value}` : ''} is required (see rag ${spec.name} --help)`);
    }
  }
  return values;
}

/** The `--help` text: usage, summary, one entry per option (with its default), notes; wrapped at 100 columns. */
export function helpText(spec: CommandSpec): string {
  const rows = [...spec.options, HELP_OPTION].map((o) => {
    const flag = `--${o.name}${o.value ? ` ${o.value}` : ''}`;
    const tail = o.required ? 'required' : `default: ${o.default ?? 'none'}`;
    return [flag, `${o.description}${o.multiple ? ' (repeatable)' : ''} [${tail}]`] as const;
  });
  const width = Math.min(30, Math.max(...rows.map(([flag]) => flag.length)) + 2);
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:'];
  for (const [flag, text] of rows) {
    const wrapped = wrap(text, HELP_COLUMNS - 2 - width);
    if (flag.length + 2 > width) lines.push(`  ${flag}`, ...wrapped.map((l) => `  ${' '.repeat(width)}${l}`));
    else lines.push(`  ${flag.padEnd(width)}${wrapped[0]}`, ...wrapped.slice(1).map((l) => `  ${' '.repeat(width)}${l}`));
  }
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

const HELP_COLUMNS = 100;

function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

export function stringValue(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requiredString(values: ParsedValues, name: string): string {
  const v = stringValue(values, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function stringList(values: ParsedValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(values: ParsedValues, name: string): boolean {
  return values[name] === true;
}

/** An integer flag, `undefined` when not given; below `min` (or not an integer) is a UsageError. */
export function intValue(values: ParsedValues, name: string, min: number): number | undefined {
  const raw = stringValue(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

/** A number flag in [min, max], `undefined` when not given. */
export function numberValue(values: ParsedValues, name: string, min: number, max: number): number | undefined {
  const raw = stringValue(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return n;
}

/** One of a fixed set of words, `undefined` when not given. */
export function choiceValue<T extends string>(values: ParsedValues, name: string, choices: readonly T[]): T | undefined {
  const raw = stringValue(values, name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}
