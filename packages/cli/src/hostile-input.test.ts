import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy } from '@rag-web/retriever';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/fixture-files.js';
import { CLI_TEST_TIMEOUT, ensureCliBuilt, indexFixture, runCli, tempDir } from '../test/run-cli.js';

// Faults and hostile input against the `rag` command, as a user's shell runs it (issue 18): a
// typed error on stderr with exit 1 (never a signal, never a raw stack), and a knowledge-base
// folder that was there before is left byte for byte as it was.

const MODEL = 'fixtures/tiny-a/model';

/** sha256 of every file in a folder, by name. */
function folderDigest(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
}

describe('rag on hostile input', { timeout: CLI_TEST_TIMEOUT }, () => {
  let kb = '';
  beforeAll(async () => {
    ensureCliBuilt();
    kb = await indexFixture('tiny-a', 'exact');
  }, CLI_TEST_TIMEOUT);

  it('rag index: NaN in --embeddings is refused with the file and passage, and --force leaves the good folder as it was', async () => {
    const npy = readNpy(new Uint8Array(readFileSync(fixturePath('tiny-a/passage_embeddings.npy'))));
    npy.data[5 * npy.cols + 3] = NaN;
    const bad = join(tempDir('nan'), 'nan.npy');
    writeFileSync(bad, writeNpy(npy));
    const before = folderDigest(kb);
    const r = await runCli(['index', '--model', MODEL, '--passages', fixturePath('tiny-a/passages.jsonl'), '--embeddings', bad, '--out', kb, '--force']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(`NonFiniteEmbeddingError: ${bad}: the embedding of passage 6 holds NaN; embeddings must be finite numbers. Nothing was written.\n`);
    expect(folderDigest(kb)).toEqual(before);
  });

  it('a manifest naming files outside its folder is refused; a manifest that is not JSON names the file', async () => {
    const copy = await indexFixture('tiny-a', 'exact');
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as { files: Record<string, string> };
    manifest.files.passages = '../../../../../../etc/passwd';
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
    const escape = await runCli(['ask', '--model', MODEL, '--kb', copy, '--question', 'what is del']);
    expect(escape.code).toBe(1);
    expect(escape.stderr).toBe('KnowledgeBaseCorruptError: manifest.json: file name "../../../../../../etc/passwd" is not a plain name inside the folder (letters, digits, ".", "-", "_").\n');

    writeFileSync(join(copy, 'manifest.json'), '{"files": ');
    const broken = await runCli(['ask', '--model', MODEL, '--kb', copy, '--question', 'what is del']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`^InputFileError: ${copy.replaceAll('/', '\\/')}/manifest\\.json is not valid JSON: .+\\n$`));
  });

  it('passages files: a UTF-8 byte-order mark is accepted; bytes that are not UTF-8 are an error naming the line', async () => {
    const dir = tempDir('bom');
    const lines = readFileSync(fixturePath('tiny-a/passages.jsonl'), 'utf8');
    writeFileSync(join(dir, 'bom.jsonl'), `\uFEFF${lines}`);
    const ok = await runCli(['index', '--model', MODEL, '--passages', join(dir, 'bom.jsonl'), '--embeddings', fixturePath('tiny-a/passage_embeddings.npy'), '--out', join(dir, 'kb')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'kb', 'passages.jsonl'), 'utf8')).toBe(readFileSync(join(kb, 'passages.jsonl'), 'utf8'));

    const latin1 = Buffer.concat([Buffer.from(lines.split('\n').slice(0, 2).join('\n') + '\n'), Buffer.from('{"title": "caf\xe9", "text": "x"}\n', 'latin1')]);
    writeFileSync(join(dir, 'latin1.jsonl'), latin1);
    const bad = await runCli(['index', '--model', MODEL, '--passages', join(dir, 'latin1.jsonl'), '--out', join(dir, 'kb2')]);
    expect(bad).toMatchObject({ code: 1, stderr: `InputFileError: passages file ${join(dir, 'latin1.jsonl')} is not UTF-8 text (invalid bytes on line 3); save it as UTF-8\n` });
  });

  it('a 10,000-word question is truncated to the question encoder positions and answered on WASM; --device cpu refuses it with a typed error, never a signal', async () => {
    // "is" is one token of the fixture's vocabulary: the question's ids are [CLS] what is de ##l is is … [SEP].
    const question = (isCount: number) => `what is del${' is'.repeat(isCount)}`;
    const ask = (q: string, device: string) => runCli(['ask', '--model', MODEL, '--kb', kb, '--question', q, '--device', device, '--max-length', '6', '--json']);
    const long = await ask(question(9_997), 'wasm');
    expect(long.code, long.stderr).toBe(0);
    // transformers' truncation=True: model_max_length = max_position_embeddings = 128 ids, so
    // the answer is that of the question cut by hand to 126 content tokens.
    const cut = await ask(question(126 - 4), 'wasm');
    expect(cut.code, cut.stderr).toBe(0);
    const withoutQuestion = (stdout: string) => {
      const record = JSON.parse(stdout) as { question?: string; questionInputIds: number[] };
      delete record.question;
      return record;
    };
    const longOut = withoutQuestion(long.stdout);
    const cutOut = withoutQuestion(cut.stdout);
    expect(longOut.questionInputIds).toHaveLength(128);
    expect(longOut).toEqual(cutOut);

    // onnxruntime-node segfaults on a ~29 kB command line (src/device.ts): exit 1, one line, before loading it.
    const cpu = await ask(question(9_997), 'cpu');
    expect(cpu.code).toBe(1);
    expect(cpu.stderr).toMatch(/^DeviceUnavailableError: --device cpu: this command line is \d+ bytes, .+ or use --device wasm\n$/);
    // Below the bound the CPU runtime truncates the same way and agrees with WASM on the ids.
    const cpuCut = await ask(question(2_000), 'cpu');
    expect(cpuCut.code, cpuCut.stderr).toBe(0);
    expect((JSON.parse(cpuCut.stdout) as { questionInputIds: number[] }).questionInputIds).toEqual(longOut.questionInputIds);
  });

  it('generation bounds name the real limit: beams (the top-k), decoder positions (max_position_embeddings)', async () => {
    const ask = (...flags: string[]) => runCli(['ask', '--model', MODEL, '--kb', kb, '--question', 'what is del', ...flags]);
    const beams = await ask('--num-beams', '1000');
    expect(beams).toMatchObject({ code: 1, stderr: 'InvalidInputError: numBeams = 1000: at most 512 beams (each step ranks 2·numBeams candidates, with a top-k of at most 1024)\n' });
    // tiny-a's generator has 128 positions; minLength 200 keeps EOS away until decoding passes them.
    for (const device of ['wasm', 'cpu']) {
      const long = await ask('--min-length', '200', '--max-length', '300', '--device', device);
      expect(long.code, device).toBe(1);
      expect(long.stderr, device).toBe("InvalidInputError: decoding reached position 128, past the generator's max_position_embeddings = 128: ask for maxLength ≤ 128 (now 300; minLength 200)\n");
    }
    // A maxLength past the positions is fine while EOS comes first, as in transformers.
    expect((await ask('--max-length', '300')).code).toBe(0);
  });

  it('a knowledge base recorded by another question encoder of the same width is refused at retrieval; its own model passes in every dtype', async () => {
    // tiny-a's context encoder embeds, and `rag index` records tiny-a's question-encoder probe.
    const dir = join(tempDir('probe'), 'kb');
    const built = await runCli(['index', '--model', MODEL, '--passages', fixturePath('tiny-a/passages.jsonl'), '--out', dir, '--index', 'exact']);
    expect(built.code, built.stderr).toBe(0);
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { encoderProbe: number[] };
    expect(manifest.encoderProbe).toHaveLength(32);
    // Identity by behaviour, not by name: tiny-p is tiny-a's checkpoint exported again (other bytes).
    for (const [model, dtype] of [[MODEL, 'fp32'], [MODEL, 'fp16'], [MODEL, 'q8'], ['fixtures/tiny-p/model', 'fp32']] as const) {
      const own = await runCli(['ask', '--model', model, '--kb', dir, '--question', 'what is del', '--dtype', dtype, '--max-length', '4']);
      expect(own.code, `${model} ${dtype}: ${own.stderr}`).toBe(0);
    }
    // The same folder as another 32-wide encoder would have recorded it (the probe of another model).
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, encoderProbe: [...manifest.encoderProbe].reverse() }));
    const other = await runCli(['ask', '--model', MODEL, '--kb', dir, '--question', 'what is del']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^EmbeddingModelError: Embeddings come from model "fixtures\/tiny-a\/model \(its question encoder's probe has cosine -?\d\.\d{3} with the stored one\)", but this knowledge base was built with "sha256:[0-9a-f]{64}"/);
  });
});
