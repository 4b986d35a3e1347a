import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRagComponents, readEmbeddingModelId } from '@rag-web/models';
import { KB_FILES, MemoryBackend, loadKnowledgeBase, readNpy, writeNpy } from '@rag-web/retriever';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectClose } from '../../../../test/expect-close.js';
import { ORIGIN, fakeOrigin } from '../../../../test/fake-origin.js';
import { fixturePath } from '../../../../test/fixture-files.js';
import { tolerances } from '../../../../test/tolerances.js';
import { CLI_TEST_TIMEOUT, ensureCliBuilt, repoRoot, runCli, tempDir } from '../../test/run-cli.js';

const npyOf = (caseName: string) => readNpy(new Uint8Array(readFileSync(fixturePath(`${caseName}/passage_embeddings.npy`))));
const indexArgs = (caseName: string, out: string, more: string[] = []) => [
  'index',
  '--model',
  `fixtures/${caseName}/model`,
  '--passages',
  `fixtures/${caseName}/passages.jsonl`,
  '--out',
  out,
  ...more,
];

/** A failed command: non-zero exit, nothing on stdout, one `Name: message` line on stderr. */
function expectOneLineError(r: { code: number; stdout: string; stderr: string }, name: string, pattern: RegExp, code = 1): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${name}: `));
  expect(lines[0]).toMatch(pattern);
}

describe('rag index', { timeout: CLI_TEST_TIMEOUT }, () => {
  beforeAll(() => ensureCliBuilt(), CLI_TEST_TIMEOUT);

  it('from a passages file and its .npy: a folder the browser loader takes as-is, ids = line numbers, rows unchanged', async () => {
    const out = join(tempDir('index-npy'), 'kb');
    const r = await runCli([...indexArgs('tiny-a', out, ['--embeddings', 'fixtures/tiny-a/passage_embeddings.npy']), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    const modelId = await readEmbeddingModelId(fixturePath('tiny-a/model'));
    expect(modelId).toMatch(/^sha256:/);
    expect(summary).toMatchObject({ count: 259, dimension: 32, index: 'hnsw', embedded: 0, modelId });
    expect(summary.files).toEqual(expect.arrayContaining(Object.values(KB_FILES)));
    expect(r.stderr).toMatch(/storing passages: 259\/259 \(100%\)/);

    // What a page does with the folder's URL, through a FileSource.
    const kb = await loadKnowledgeBase(async (name) => new Uint8Array(readFileSync(join(out, name))), { backend: new MemoryBackend('cli-index') });
    expect(kb.size).toBe(259);
    expect(kb.manifest).toMatchObject({ dimension: 32, nextId: 259, modelId, index: { kind: 'hnsw', count: 259 } });
    expect(await kb.verify()).toEqual({ ok: true, problems: [] });
    const npy = npyOf('tiny-a');
    const lines = readFileSync(fixturePath('tiny-a/passages.jsonl'), 'utf8').trim().split('\n');
    const stored = await kb.getPassages([0, 137, 258]);
    for (const p of stored) {
      const line = JSON.parse(lines[p.id]!) as { title: string; text: string };
      expect({ title: p.title, text: p.text }).toEqual({ title: line.title, text: line.text });
      expect(Array.from(p.embedding)).toEqual(Array.from(npy.data.subarray(p.id * 32, (p.id + 1) * 32)));
    }
    await kb.close();
  });

  it("without --embeddings: the model's DPR context encoder reproduces passage_embeddings.npy, with progress on stderr", async () => {
    const out = join(tempDir('index-embed'), 'kb');
    const r = await runCli([...indexArgs('tiny-a', out, ['--index', 'exact']), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 259, index: 'exact', embedded: 259 });
    expect(r.stderr).toMatch(/embedding passages: 259\/259 \(100%\)/);
    const written = readNpy(new Uint8Array(readFileSync(join(out, KB_FILES.embeddings))));
    expect([written.rows, written.cols]).toEqual([259, 32]);
    expectClose(written.data, npyOf('tiny-a').data, tolerances.wasm.pooled, 'ctx encoder embeddings');
    const manifest = JSON.parse(readFileSync(join(out, KB_FILES.manifest), 'utf8')) as { index: unknown; files: { index: unknown } };
    expect(manifest.index).toBeNull();
    expect(manifest.files.index).toBeNull();

    // The same model loaded by URL, as a page does, adds passages to this knowledge base: one identity, whatever the path.
    vi.stubGlobal('fetch', fakeOrigin().fetch);
    try {
      const model = await loadRagComponents(`${ORIGIN}/tiny-a/model`, { device: 'wasm', cache: null, loadContextEncoder: true });
      const kb = await loadKnowledgeBase(out, { index: 'exact' });
      expect(kb.manifest.modelId).toBe(model.embeddingModelId);
      await kb.ingest({ passages: [{ title: 'added in the page', text: 'a passage embedded by the model loaded from its URL' }] }, { embedder: model.contextEncoder! });
      expect(kb.size).toBe(260);
      await Promise.all([model.questionEncoder.release(), model.generator.release(), model.contextEncoder!.release()]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  describe('errors: one line on stderr, non-zero exit, no folder written', () => {
    const failsWith = async (args: string[], name: string, pattern: RegExp, code = 1) => {
      const out = join(tempDir('index-err'), 'kb');
      expectOneLineError(await runCli(['index', ...args, '--out', out]), name, pattern, code);
      expect(existsSync(join(out, KB_FILES.manifest))).toBe(false);
    };
    const passages = ['--passages', 'fixtures/tiny-a/passages.jsonl'];

    it('a missing model folder, and a folder that is not a model', async () => {
      await failsWith(['--model', 'fixtures/no-such-model', ...passages], 'ModelLoadError', /model folder fixtures\/no-such-model not found/);
      await failsWith(['--model', 'fixtures/tiny-a', ...passages], 'ModelLoadError', /fixtures\/tiny-a is not a RAG model folder: it has neither config\.json nor rag\.json/);
    });

    it(".npy width other than retrieval_vector_size, row count other than the passages, float64 data", async () => {
      await failsWith(
        ['--model', 'fixtures/tiny-a/model', ...passages, '--embeddings', 'fixtures/hf-o1/passage_embeddings.npy'],
        'EmbeddingDimensionError',
        /hf-o1\/passage_embeddings\.npy \(shape \(400, 40\).*dimension 40.*dimension 32/,
      );
      const short = join(tempDir('npy'), 'short.npy');
      const npy = npyOf('tiny-a');
      writeFileSync(short, writeNpy({ rows: 10, cols: 32, data: npy.data.slice(0, 320) }));
      await failsWith(['--model', 'fixtures/tiny-a/model', ...passages, '--embeddings', short], 'InputFileError', /has 10 rows but .*passages\.jsonl has 259 passages/);
      const f8 = join(tempDir('npy'), 'f8.npy');
      writeFileSync(f8, float64Npy(259, 32));
      await failsWith(['--model', 'fixtures/tiny-a/model', ...passages, '--embeddings', f8], 'InputFileError', /dtype <f8 is not float32/);
    });

    it('malformed JSONL names the file and the line', async () => {
      const file = join(tempDir('jsonl'), 'bad.jsonl');
      writeFileSync(file, '{"title": "a", "text": "x"}\n{"title": "b", "text": "y"}\n{"title": "c", "text": \n');
      await failsWith(['--model', 'fixtures/tiny-a/model', '--passages', file], 'MalformedPassagesError', /bad\.jsonl: Malformed passage on line 3: invalid JSON/);
      writeFileSync(file, '{"title": "a", "text": "x"}\n{"title": 7, "text": "y"}\n');
      await failsWith(['--model', 'fixtures/tiny-a/model', '--passages', file], 'MalformedPassagesError', /line 2: "title" must be a string/);
    });

    it('a missing passages file; an out folder with files in it (usage error, exit 2) unless --force', async () => {
      await failsWith(['--model', 'fixtures/tiny-a/model', '--passages', 'fixtures/nope.jsonl'], 'InputFileError', /passages file fixtures\/nope\.jsonl not found/);
      const r = await runCli(['index', '--model', 'fixtures/tiny-a/model', ...passages, '--out', repoRoot]);
      expectOneLineError(r, 'UsageError', /already has files; pass --force/, 2);
    });
  });
});

/** A float64 (rows × cols) .npy, the dtype `np.save` writes by default. */
function float64Npy(rows: number, cols: number): Uint8Array {
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = `${dict}${' '.repeat(total - 10 - dict.length - 1)}\n`;
  const out = new Uint8Array(total + rows * cols * 8);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}
