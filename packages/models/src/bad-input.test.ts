import { describe, expect, it } from 'vitest';
import { fixturePath, readFolderFiles, readReference } from '../../../test/fixture-files.js';
import { InvalidInputError, ModelFileNotFoundError, ModelIntegrityError, TokenizerMismatchError } from './errors.js';
import { RagModel } from './rag-model.js';
import { RagTokenForGeneration } from './rag-token.js';

/**
 * Every file of a fixture model folder, as the `{ files }` source of fromPretrained takes them;
 * without its manifest.json (a hand-assembled folder) unless asked, so that the loader's own
 * checks of each file are what the tests below meet.
 */
function modelFiles(caseName: string, withManifest = false): Record<string, Uint8Array> {
  const files = readFolderFiles(fixturePath(`${caseName}/model`));
  if (!withManifest) delete files['manifest.json'];
  return files;
}

const load = (files: Record<string, Uint8Array>) => RagModel.fromPretrained({ files }, { device: 'wasm', cache: null });

describe('bad model files give typed errors', () => {
  it('a missing ONNX graph names the file, for every generator layout', async () => {
    const files = modelFiles('hf-o1');
    delete files['onnx/decoder_with_past_model.onnx'];
    delete files['onnx/decoder_model_merged.onnx'];
    await expect(load(files)).rejects.toThrow(ModelFileNotFoundError);
    await expect(load(files)).rejects.toThrow(/bart-split lacks onnx\/decoder_with_past_model\.onnx; bart-merged lacks onnx\/decoder_model_merged\.onnx/);
    // With a manifest that still lists it, the file is named as missing when it is fetched.
    const listed = modelFiles('hf-o1', true);
    delete listed['onnx/decoder_with_past_model.onnx'];
    await expect(load(listed)).rejects.toThrow(/onnx\/decoder_with_past_model\.onnx is missing from the given bytes/);
  });

  it('a context encoder asked for and not there: ModelFileNotFoundError with part ctx_encoder (config, graph or tokenizer)', async () => {
    const withoutCtx = (drop: (path: string) => boolean) => Object.fromEntries(Object.entries(modelFiles('hf-o1')).filter(([p]) => !drop(p)));
    for (const files of [
      withoutCtx((p) => p === 'ctx_encoder_config.json'),
      withoutCtx((p) => p.startsWith('onnx/ctx_encoder')),
      withoutCtx((p) => p.startsWith('ctx_encoder_tokenizer/')),
    ]) {
      const err = await RagModel.fromPretrained({ files }, { device: 'wasm', cache: null, loadContextEncoder: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelFileNotFoundError);
      expect((err as ModelFileNotFoundError).details.part).toBe('ctx_encoder');
    }
  });

  it('a split decoder missing, the merged one present: the model loads with the merged decoder', async () => {
    const files = modelFiles('hf-o1');
    delete files['onnx/decoder_with_past_model.onnx'];
    const model = await load(files);
    expect(model.components.layouts.generator).toBe('bart-merged');
  });

  it('a file that does not match its manifest (size or SHA-256) is a ModelIntegrityError naming it', async () => {
    const files = modelFiles('hf-o1', true);
    const flipped = files['onnx/encoder_model.onnx']!.slice();
    const at = flipped.length >> 1;
    flipped[at] = flipped[at]! ^ 0xff;
    const err = await load({ ...files, 'onnx/encoder_model.onnx': flipped }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelIntegrityError);
    expect((err as ModelIntegrityError).message).toMatch(/onnx\/encoder_model\.onnx is corrupt: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    await expect(load({ ...files, 'config.json': new TextEncoder().encode('{}') })).rejects.toThrow(/config\.json is corrupt: 2 bytes, expected \d+/);
  });

  it('a corrupt ONNX graph is a ModelLoadError naming the graph', async () => {
    const files = modelFiles('hf-o1');
    files['onnx/encoder_model.onnx'] = files['onnx/encoder_model.onnx']!.slice(0, 1000);
    await expect(load(files)).rejects.toThrow(/cannot load ONNX graph encoder_model/);
  });

  it('a graph of another contract (the question encoder in place of the generator encoder) is caught at load', async () => {
    const files = modelFiles('hf-o1');
    files['onnx/encoder_model.onnx'] = files['onnx/question_encoder.onnx']!;
    await expect(load(files)).rejects.toThrow(/does not match the exporter's contract/);
  });

  it('a config.json that is not JSON, or not a RAG config', async () => {
    const files = modelFiles('hf-o1');
    await expect(load({ ...files, 'config.json': new TextEncoder().encode('{ nope') })).rejects.toThrow(/config\.json is not valid JSON/);
    await expect(load({ ...files, 'config.json': new TextEncoder().encode('{"model_type": "bart"}') })).rejects.toThrow(/expected "rag"/);
  });

  it('tokenizers of another model are a TokenizerMismatchError', async () => {
    const files = modelFiles('hf-o1');
    const other = modelFiles('hf-o2');
    for (const key of Object.keys(other)) if (key.startsWith('generator_tokenizer/')) files[key] = other[key]!;
    await expect(load(files)).rejects.toThrow(TokenizerMismatchError);
  });

  it('a local folder that does not exist', async () => {
    await expect(RagModel.fromPretrained(fixturePath('no-such-model'), { device: 'wasm', cache: null })).rejects.toThrow(/neither config\.json nor rag\.json/);
  });
});

describe('bad arguments give typed errors', async () => {
  const model = new RagTokenForGeneration(await load(modelFiles('hf-o1')));
  const q = readReference('hf-o1').per_question[0]!;

  it('an empty question', () => {
    expect(() => model.rag.components.tokenizer.encodeQuestions(['  '])).toThrow(InvalidInputError);
  });

  it('question ids without a retriever, or contexts without doc scores', async () => {
    await expect(model.generate({ inputIds: [q.question_input_ids] })).rejects.toThrow(/no retriever/);
    await expect(model.generate({ contextInputIds: q.context_input_ids })).rejects.toThrow(/without docScores/);
  });

  it('nDocs different from the rows of contextInputIds', async () => {
    await expect(model.generate({ contextInputIds: q.context_input_ids, docScores: [q.doc_scores], nDocs: 3 })).rejects.toThrow(InvalidInputError);
  });

  it('generation settings that cannot work', async () => {
    await expect(model.generate({ contextInputIds: q.context_input_ids, docScores: [q.doc_scores], numBeams: 2, numReturnSequences: 3 })).rejects.toThrow(
      /num_return_sequences/,
    );
  });
});
