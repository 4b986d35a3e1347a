import type { CommandSpec, ParsedValues } from './cli-options.js';

/** One subcommand: its flag table (which also makes its --help) and what it does. */
export interface Command {
  spec: CommandSpec;
  run(values: ParsedValues): Promise<void>;
}

export const JSON_OPTION = { name: 'json', description: 'machine-readable output on stdout (see the notes below)', default: 'false' };

/** Writes one line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Floats of a Float32Array as plain JSON numbers (the float32 values, widened exactly). */
export function numbers(values: ArrayLike<number>): number[] {
  return Array.from(values);
}

/** A passage text shortened to one readable line. */
export function excerpt(text: string, width = 96): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}
