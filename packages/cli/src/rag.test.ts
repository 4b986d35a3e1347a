import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy } from '@rag-web/retriever';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/fixture-files.js';
import { CLI_TEST_TIMEOUT, ensureCliBuilt, indexFixture, runCli, tempDir } from '../test/run-cli.js';
import type { CommandSpec } from './cli-options.js';
import { askCommand } from './commands/ask.js';
import { evalCommand } from './commands/eval.js';
import { indexCommand } from './commands/index.js';
import { scoreCommand } from './commands/score.js';
import { serveCommand } from './commands/serve.js';

const SPECS: CommandSpec[] = [indexCommand, askCommand, scoreCommand, evalCommand, serveCommand].map((c) => c.spec);

/** The entries of the first "Options:" block of a help text, wrapped lines joined: `--name VALUE  text [default: …]`. */
function optionEntries(help: string): string[] {
  const block = help.slice(help.indexOf('Options:\n') + 'Options:\n'.length).split('\n\n')[0]!;
  return block
    .split(/\n(?= {2}--)/)
    .map((entry) => entry.replace(/\s+/g, ' ').trim());
}

/** Every option of `spec` (and --help) has one entry that ends in `[required]` or `[default: …]`. */
function expectEveryOption(help: string, spec: CommandSpec): void {
  const entries = optionEntries(help);
  const names = [...spec.options.map((o) => o.name), 'help'];
  expect(entries.map((e) => /^--([\w-]+)/.exec(e)?.[1])).toEqual(names);
  for (const o of spec.options) {
    const entry = entries.find((e) => e.startsWith(`--${o.name} `))!;
    expect(entry, `rag ${spec.name} --${o.name}`).toMatch(o.required ? /\[required\]$/ : /\[default: [^\]]+\]$/);
  }
}

describe('rag (help, usage errors)', { timeout: CLI_TEST_TIMEOUT }, () => {
  beforeAll(() => ensureCliBuilt(), CLI_TEST_TIMEOUT);

  it('rag --help lists every command, and every option of every command with its default', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const spec of SPECS) {
      expect(r.stdout.split('\n').some((l) => l.startsWith(`  ${spec.name} `) && l.endsWith(` ${spec.brief}`))).toBe(true);
      expectEveryOption(r.stdout.slice(r.stdout.indexOf(`- rag ${spec.name} -`)), spec);
    }
  });

  it.each(SPECS.map((s) => [s.name, s] as const))('rag %s --help lists every option with its default', async (name, spec) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: rag ${name} `));
    expectEveryOption(r.stdout, spec);
  });

  it('usage errors exit 2 with one line: no command, unknown command, unknown flag, missing flag, bad value', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: rag <command>/);
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /^UsageError: unknown command "frobnicate"; expected one of index, ask, score, eval/],
      [['ask', '--frob'], /^UsageError: rag ask: Unknown option '--frob'.* \(see rag ask --help\)$/],
      [['ask', '--model', 'm', '--kb', 'k'], /^UsageError: rag ask: --question TEXT is required/],
      [['score', '--model', 'm', '--kb', 'k', '--question', 'q', '--answer', 'a', '--answer', 'b'], /^UsageError: give one --answer per --question/],
      [['ask', '--model', 'fixtures/tiny-a/model', '--kb', 'k', '--question', 'q', '--device', 'gpu'], /^UsageError: --device must be one of wasm, cpu, webgpu, got "gpu"/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(pattern);
    }
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});

describe('rag ask / score against small knowledge bases', { timeout: CLI_TEST_TIMEOUT }, () => {
  let small = '';
  let kb = '';
  beforeAll(async () => {
    ensureCliBuilt();
    kb = await indexFixture('tiny-a', 'exact');
    // A three-passage knowledge base: fewer passages than the model's n_docs (4).
    const dir = tempDir('small');
    const lines = readFileSync(fixturePath('tiny-a/passages.jsonl'), 'utf8').split('\n').slice(0, 3);
    writeFileSync(join(dir, 'passages.jsonl'), `${lines.join('\n')}\n`);
    const npy = readNpy(new Uint8Array(readFileSync(fixturePath('tiny-a/passage_embeddings.npy'))));
    writeFileSync(join(dir, 'emb.npy'), writeNpy({ rows: 3, cols: npy.cols, data: npy.data.slice(0, 3 * npy.cols) }));
    small = join(dir, 'kb');
    const r = await runCli(['index', '--model', 'fixtures/tiny-a/model', '--passages', join(dir, 'passages.jsonl'), '--embeddings', join(dir, 'emb.npy'), '--out', small]);
    expect(r.code, r.stderr).toBe(0);
  }, CLI_TEST_TIMEOUT);

  it('--n-docs (or config n_docs) larger than the knowledge base: NotEnoughPassagesError, exit 1', async () => {
    const expected = (n: number) => `NotEnoughPassagesError: nDocs = ${n} documents per question were requested, but the knowledge base holds only 3 passages.\n`;
    const byConfig = await runCli(['ask', '--model', 'fixtures/tiny-a/model', '--kb', small, '--question', 'what is del']);
    expect(byConfig).toMatchObject({ code: 1, stdout: '', stderr: expected(4) });
    const byFlag = await runCli(['score', '--model', 'fixtures/tiny-a/model', '--kb', kb, '--question', 'q', '--answer', 'a', '--n-docs', '300']);
    expect(byFlag.code).toBe(1);
    expect(byFlag.stderr).toBe(expected(300).replace('only 3', 'only 259'));
    const fits = await runCli(['ask', '--model', 'fixtures/tiny-a/model', '--kb', small, '--question', 'what is del', '--n-docs', '3', '--max-length', '4']);
    expect(fits.code, fits.stderr).toBe(0);
  });

  it('a missing knowledge-base folder; variant-only flags on the other variant', async () => {
    const missing = await runCli(['ask', '--model', 'fixtures/tiny-a/model', '--kb', 'no/such/kb', '--question', 'q']);
    expect(missing).toMatchObject({ code: 1, stderr: 'InputFileError: knowledge-base folder no/such/kb not found (build one with rag index)\n' });
    const dedup = await runCli(['ask', '--model', 'fixtures/tiny-a/model', '--kb', kb, '--question', 'q', '--rag', 'token', '--no-dedup']);
    expect(dedup).toMatchObject({ code: 2, stderr: 'UsageError: --no-dedup applies to --rag sequence only (RAG-Token does not deduplicate)\n' });
    const bos = await runCli(['score', '--model', 'fixtures/tiny-a/model', '--kb', kb, '--question', 'q', '--answer', 'a', '--exclude-bos-score']);
    expect(bos).toMatchObject({ code: 2, stderr: 'UsageError: --exclude-bos-score applies to --rag sequence only (RAG-Token has no such option)\n' });
  });

  it('human output names the model, variant and runtime, then answers and passages with titles and scores', async () => {
    const r = await runCli(['ask', '--model', 'fixtures/tiny-a/model', '--kb', kb, '--question', 'what is del', '--device', 'cpu', '--max-length', '12']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('model fixtures/tiny-a/model (RAG-Token) on onnxruntime-node 1.30 (CPU)');
    expect(r.stdout).toContain('Q: what is del\nA: del / The "del" statement');
    expect(r.stdout).toMatch(/Retrieved \(4 docs\):\n {2}1\. \[doc 80\] score 13\.83\d\d {2}del\n/);
    const score = await runCli(['score', '--model', 'fixtures/tiny-a/model', '--kb', kb, '--question', 'what is del', '--answer', 'del', '--rag', 'sequence']);
    expect(score.code, score.stderr).toBe(0);
    expect(score.stdout).toMatch(/^model fixtures\/tiny-a\/model \(RAG-Sequence\) on onnxruntime-web 1\.30 \(WASM\)\n/);
    expect(score.stdout).toMatch(/loss: \d+\.\d{6} \(RAG-Sequence NLL over 4 docs, reduce_loss=false, label_smoothing=0\)/);
  });
});
