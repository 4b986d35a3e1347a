import { helpText, parseCommand } from './cli-options.js';
import type { Command } from './command.js';
import { askCommand } from './commands/ask.js';
import { evalCommand } from './commands/eval.js';
import { indexCommand } from './commands/index.js';
import { scoreCommand } from './commands/score.js';
import { serveCommand } from './commands/serve.js';
import { UsageError } from './errors.js';

/**
 * `rag`: the command line of rag-web. Runs the same packages as the browser (models, retriever,
 * core) in Node. Exit status: 0 on success, 1 when a command fails, 2 on a usage error; a
 * failure is one line on stderr, `ErrorName: message`.
 */
const COMMANDS: readonly Command[] = [indexCommand, askCommand, scoreCommand, evalCommand, serveCommand];

function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return [
    'Usage: rag <command> [options]',
    '',
    'Retrieval-augmented generation (transformers RAG) on the rag-web packages, in Node.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.brief}`),
    '',
    'Options:',
    '  --help     show this help (every command\'s options follow); rag <command> --help for one [default: false]',
    '  --version  print the version [default: false]',
    '',
    'Exit status: 0 on success, 1 when the command fails, 2 on a usage error; a failure prints one',
    'line, ErrorName: message, on stderr (RAG_DEBUG=1 adds the stack).',
    '',
    ...COMMANDS.map((c) => `${'-'.repeat(16)} rag ${c.spec.name} ${'-'.repeat(16)}\n${helpText(c.spec)}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(topLevelHelp());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topLevelHelp());
    return 0;
  }
  if (name === '--version') {
    process.stdout.write(`${__RAG_CLI_VERSION__}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; expected one of ${COMMANDS.map((c) => c.spec.name).join(', ')} (see rag --help)`);
  const values = parseCommand(command.spec, rest);
  if (values === 'help') {
    process.stdout.write(helpText(command.spec));
    return 0;
  }
  await command.run(values);
  return 0;
}

declare const __RAG_CLI_VERSION__: string;

// Output piped into `head` and the like: stop quietly once the reader has gone.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    const message = e.message.replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`${e.name}: ${message}\n`);
    if (process.env.RAG_DEBUG && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
