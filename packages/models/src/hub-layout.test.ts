import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { fixturePath, readFixtureJson, readFolderFiles, readReference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { readFloat32Npy } from '../../../test/npy.js';
import { tolerances } from '../../../test/tolerances.js';
import { ModelFileNotFoundError, ModelLoadError } from './errors.js';
import type { RagJson } from './loading/model-plan.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

// fixtures/tiny-a/hub holds tiny-a's weights laid out as transformers.js repos are
// (tools/rag_export/placement.py --layout transformers.js): a BERT feature-extraction repo per
// DPR encoder (onnx/model.onnx, onnx/model_quantized.onnx, tokenizer at the root) and a BART
// repo (onnx/encoder_model.onnx + onnx/decoder_model_merged.onnx, config.json and
// generation_config.json at the root). Loaded as they are, they must answer as tiny-a does.
const HUB = fixturePath('tiny-a/hub');
const reference = readReference('tiny-a');
const ragConfig = readFixtureJson<RagJson>('tiny-a/hub/rag.json').config!;

const scratch = mkdtempSync(join(tmpdir(), 'rag-json-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder holding only a rag.json that names the parts. */
function ragJsonFolder(name: string, json: RagJson): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rag.json'), JSON.stringify(json));
  return dir;
}

async function expectReferenceGenerations(rag: RagModel, settings = Object.keys(reference.per_question[0]!.generate)): Promise<void> {
  const token = new RagTokenForGeneration(rag);
  const sequence = new RagSequenceForGeneration(rag);
  for (const setting of settings) {
    const { variant, args } = GENERATE_SETTINGS[setting]!;
    for (const q of reference.per_question) {
      const inputs = { ...contextArgs(q), ...args };
      const ids = variant === 'token' ? await token.generate(inputs) : await sequence.generate(inputs);
      expect(ids, `${setting}: ${q.question}`).toEqual(q.generate[setting]);
    }
  }
}

describe('tiny-a as transformers.js repos combined by rag.json (WASM in Node)', async () => {
  const rag = await RagModel.fromPretrained(HUB, { device: 'wasm', cache: null, loadContextEncoder: true });

  it('took the hub graph sets: BERT feature extraction (CLS of last_hidden_state) and the merged BART decoder', () => {
    expect(rag.components.layouts).toEqual({ questionEncoder: 'bert-feature-extraction', generator: 'bart-merged', ctxEncoder: 'bert-feature-extraction' });
    expect(rag.config.nDocs).toBe(reference.per_question[0]!.doc_ids.length);
  });

  it('the question encoder gives transformers\' DPR pooled output from the tokenized question', async () => {
    const { tokenizer, questionEncoder } = rag.components;
    for (const q of reference.per_question) {
      const enc = tokenizer.encodeQuestions([q.question]);
      expect(enc.inputIds[0]).toEqual(q.question_input_ids);
      expectClose(await questionEncoder.forward(enc.inputIds, enc.attentionMask), q.question_pooled, tolerances.wasm.pooled, 'question_pooled');
    }
  });

  it('the context encoder gives passage_embeddings.npy', async () => {
    const { data, shape } = readFloat32Npy(fixturePath('tiny-a/passage_embeddings.npy'));
    const passages = readFileSync(fixturePath('tiny-a/passages.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 24)
      .map((line) => JSON.parse(line) as { title: string; text: string });
    expectClose(await rag.components.contextEncoder!.embed(passages), data.subarray(0, passages.length * shape[1]!), tolerances.wasm.pooled, 'passage embeddings');
  });

  it('every generate setting of the fixture: the same token ids as transformers', () => expectReferenceGenerations(rag));

  it('generation_config.json of the BART repo is the one used (forced EOS, decoder start)', () => {
    const shipped = readFixtureJson<Record<string, unknown>>('tiny-a/hub/generator/generation_config.json');
    expect(rag.components.generationConfig.decoderStartTokenId).toBe(shipped.decoder_start_token_id);
    expect(rag.components.generationConfig.forcedEosTokenId).toBe(shipped.forced_eos_token_id);
  });
});

describe('rag.json pointing at parts elsewhere', () => {
  it('parts by absolute path and by ../ path, from a folder that holds nothing else', async () => {
    const dir = join(scratch, 'paths');
    const generator = relative(dir, join(HUB, 'generator'));
    expect(generator.startsWith('../')).toBe(true);
    ragJsonFolder('paths', { question_encoder: join(HUB, 'question_encoder'), generator, config: ragConfig });
    const rag = await RagModel.fromPretrained(dir, { device: 'wasm', cache: null });
    await expectReferenceGenerations(rag, ['token_greedy_len12', 'seq_beam2_ret1_len10']);
    await rag.dispose();
  });

  it('already-fetched bytes: rag.json with its parts as sub-folders, the quantized files by dtype q8', async () => {
    const q8 = await RagModel.fromPretrained({ files: readFolderFiles(HUB) }, { device: 'wasm', cache: null, dtype: 'q8' });
    const sameWeights = await RagModel.fromPretrained(fixturePath('tiny-a/model'), { device: 'wasm', cache: null, dtype: 'q8', generatorLayout: 'bart-merged' });
    const args = { ...contextArgs(reference.per_question[0]!), numBeams: 3, maxLength: 12 };
    expect(await new RagTokenForGeneration(q8).generate(args)).toEqual(await new RagTokenForGeneration(sameWeights).generate(args));
    await Promise.all([q8.dispose(), sameWeights.dispose()]);
  });

  it('RagConfig fields from rag.json: n_docs there is the model\'s n_docs', async () => {
    const dir = ragJsonFolder('ndocs', { question_encoder: join(HUB, 'question_encoder'), generator: join(HUB, 'generator'), config: { ...ragConfig, n_docs: 2 } });
    const rag = await RagModel.fromPretrained(dir, { device: 'wasm', cache: null });
    expect(rag.config.nDocs).toBe(2);
    await rag.dispose();
  });

  it('bad rag.json: no generator; a part that is not there; a context encoder asked for and not named', async () => {
    const noGenerator = ragJsonFolder('nogen', { question_encoder: join(HUB, 'question_encoder') } as RagJson);
    await expect(RagModel.fromPretrained(noGenerator, { device: 'wasm', cache: null })).rejects.toThrow(/rag\.json of .* must name a "question_encoder" and a "generator"/);
    const missing = ragJsonFolder('missing', { question_encoder: join(HUB, 'question_encoder'), generator: join(scratch, 'no-such-bart'), config: ragConfig });
    const err = await RagModel.fromPretrained(missing, { device: 'wasm', cache: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileNotFoundError);
    expect((err as Error).message).toMatch(/no-such-bart/);
    const noCtx = ragJsonFolder('noctx', { question_encoder: join(HUB, 'question_encoder'), generator: join(HUB, 'generator'), config: ragConfig });
    await expect(RagModel.fromPretrained(noCtx, { device: 'wasm', cache: null, loadContextEncoder: true })).rejects.toThrow(ModelLoadError);
    await expect(RagModel.fromPretrained(noCtx, { device: 'wasm', cache: null, loadContextEncoder: true })).rejects.toThrow(/names no "ctx_encoder"/);
  });
});
