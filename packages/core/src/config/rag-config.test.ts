import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RagConfigError } from '../errors.js';
import { GenerationConfig } from './generation-config.js';
import { RAG_CONFIG_DEFAULTS, RagConfig } from './rag-config.js';

const fixtureJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../../fixtures/${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('RagConfig', () => {
  it('has the defaults of transformers.RagConfig', () => {
    expect(RAG_CONFIG_DEFAULTS).toMatchObject({
      titleSep: ' / ',
      docSep: ' // ',
      nDocs: 5,
      maxCombinedLength: 300,
      retrievalVectorSize: 768,
      retrievalBatchSize: 8,
      dataset: 'wiki_dpr',
      datasetSplit: 'train',
      indexName: 'compressed',
      indexPath: null,
      passagesPath: null,
      useDummyDataset: false,
      reduceLoss: false,
      labelSmoothing: 0,
      doDeduplication: true,
      excludeBosScore: false,
      doMarginalize: false,
      outputRetrieved: false,
      useCache: true,
      forcedEosTokenId: null,
      prefix: null,
    });
  });

  for (const name of ['hf-o1', 'hf-o2']) {
    it(`reads ${name}'s config.json written by transformers and writes it back unchanged`, () => {
      const json = fixtureJson(`${name}/model/config.json`);
      const config = RagConfig.fromJson(json);
      expect(config.nDocs).toBe(json.n_docs);
      expect(config.maxCombinedLength).toBe(json.max_combined_length);
      expect(config.retrievalVectorSize).toBe(json.retrieval_vector_size);
      expect(config.indexName).toBe('custom');
      expect(config.architectures).toEqual(['RagTokenForGeneration']);
      const generator = json.generator as Record<string, unknown>;
      expect(config.generator).toMatchObject({ vocabSize: generator.vocab_size, dModel: generator.d_model, padTokenId: 1, eosTokenId: 2 });
      expect(config.questionEncoder.hiddenSize).toBe((json.question_encoder as Record<string, unknown>).hidden_size);
      const roundTrip = config.toJson();
      for (const [key, value] of Object.entries(roundTrip)) {
        expect(value, key).toEqual(json[key] === undefined ? value : json[key]);
      }
    });
  }

  it('rejects bad values with messages that name the key and the allowed values', () => {
    const json = fixtureJson('hf-o1/model/config.json');
    expect(() => RagConfig.fromJson({ ...json, n_docs: 0 })).toThrow(/"n_docs" must be a positive integer, got 0/);
    expect(() => RagConfig.fromJson({ ...json, index_name: 'faiss' })).toThrow(/"index_name" must be one of "legacy", "compressed"/);
    expect(() => RagConfig.fromJson({ ...json, label_smoothing: 1.5 })).toThrow(RagConfigError);
    expect(() => RagConfig.fromJson({ ...json, generator: undefined })).toThrow(/needs both/);
    expect(() => RagConfig.fromJson({ ...json, model_type: 'bart' })).toThrow(/expected "rag"/);
    expect(() => RagConfig.fromJson({ ...json, generator: { ...(json.generator as object), model_type: 't5' } })).toThrow(/"t5" is not supported/);
    expect(() => RagConfig.fromJson([])).toThrow(RagConfigError);
  });

  it('builds from question encoder and generator configs, with overrides', () => {
    const json = fixtureJson('hf-o2/model/config.json');
    const config = RagConfig.fromQuestionEncoderGeneratorConfigs(json.question_encoder, json.generator, { nDocs: 2, indexName: 'custom' });
    expect(config.nDocs).toBe(2);
    expect(config.titleSep).toBe(' / ');
    expect(config.with({ nDocs: 7 }).nDocs).toBe(7);
    expect(() => config.with({ nDocs: -1 })).toThrow(/n_docs/);
  });
});

describe('GenerationConfig', () => {
  it('reads generation_config.json and falls back to the generator ids from the model config', () => {
    const gen = GenerationConfig.fromJson(fixtureJson('hf-o1/model/generation_config.json'));
    expect(gen).toMatchObject({ decoderStartTokenId: 2, eosTokenId: 2, padTokenId: 1, bosTokenId: 0, forcedEosTokenId: 2, maxLength: 20, numBeams: 1 });
    const fromModel = GenerationConfig.fromModelConfig(RagConfig.fromJson(fixtureJson('hf-o1/model/config.json')));
    expect(fromModel.fields()).toEqual(gen.fields());
  });

  it('validates per-call overrides', () => {
    const gen = GenerationConfig.fromJson({});
    expect(gen.with({ numBeams: 3, numReturnSequences: 2 }).numReturnSequences).toBe(2);
    expect(() => gen.with({ numReturnSequences: 2 })).toThrow(/num_return_sequences \(2\) must not exceed num_beams \(1\)/);
    expect(() => gen.with({ maxLength: 0 })).toThrow(/max_length/);
    expect(() => gen.with({ minLength: 30 })).toThrow(/exceeds max_length/);
  });

  it('reads max_new_tokens, which wins over max_length once the decoder prompt is known (transformers\' _prepare_generated_length)', () => {
    expect(GenerationConfig.fromJson({}).maxNewTokens).toBeNull();
    const gen = GenerationConfig.fromJson({ max_length: 12, max_new_tokens: 5 });
    expect(gen.maxNewTokens).toBe(5);
    expect(gen.toJson()).toMatchObject({ max_length: 12, max_new_tokens: 5 });
    expect(gen.forPrompt(1)).toMatchObject({ maxLength: 6, maxNewTokens: null });
    expect(gen.with({ maxNewTokens: null }).forPrompt(1).maxLength).toBe(12);
    // min_length is checked against the cap max_new_tokens gives, not against max_length.
    expect(gen.with({ minLength: 15, maxNewTokens: 20 }).forPrompt(1).maxLength).toBe(21);
    expect(() => gen.with({ minLength: 7 }).forPrompt(1)).toThrow(/min_length \(7\) exceeds max_new_tokens \(5\) \+ the 1-token decoder prompt = 6/);
    expect(() => GenerationConfig.fromJson({ max_new_tokens: 0 })).toThrow(/"max_new_tokens" must be a positive integer or null/);
    expect(() => gen.with({ maxNewTokens: 2.5 })).toThrow(/max_new_tokens/);
  });
});
