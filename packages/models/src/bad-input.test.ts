import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { InvalidInputError, ModelLoadError, TokenizerMismatchError } from './errors.js';
import { RagModel } from './rag-model.js';
import { RagTokenForGeneration } from './rag-token.js';

/** Every file of a fixture model folder, as the `{ files }` source of fromPretrained takes them. */
function modelFiles(caseName: string): Record<string, Uint8Array> {
  const root = fixturePath(`${caseName}/model`);
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path)] = new Uint8Array(readFileSync(path));
    }
  };
  walk(root);
  return files;
}

const load = (files: Record<string, Uint8Array>) => RagModel.fromPretrained({ files }, { device: 'wasm', cache: null });

describe('bad model files give typed errors', () => {
  it('a missing ONNX graph names the file', async () => {
    const files = modelFiles('hf-o1');
    delete files['onnx/decoder_with_past_model.onnx'];
    await expect(load(files)).rejects.toThrow(ModelLoadError);
    await expect(load(files)).rejects.toThrow(/onnx\/decoder_with_past_model\.onnx is missing/);
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
    await expect(RagModel.fromPretrained(fixturePath('no-such-model'), { device: 'wasm', cache: null })).rejects.toThrow(/config\.json not found/);
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
