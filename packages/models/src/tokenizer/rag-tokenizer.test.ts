import { RagConfig } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { FIXTURE_CASES, readFixtureJson, readReference } from '../../../../test/fixture-files.js';
import { TokenizerMismatchError } from '../errors.js';
import { RagTokenizer } from './rag-tokenizer.js';

function loadTokenizer(caseName: string, config?: RagConfig): RagTokenizer {
  const files = (folder: string) => ({
    tokenizerJson: readFixtureJson(`${caseName}/model/${folder}/tokenizer.json`),
    tokenizerConfig: readFixtureJson(`${caseName}/model/${folder}/tokenizer_config.json`),
  });
  return RagTokenizer.fromFiles({ questionEncoder: files('question_encoder_tokenizer'), generator: files('generator_tokenizer') }, config);
}

describe.each(FIXTURE_CASES)('RagTokenizer on %s', (caseName) => {
  const reference = readReference(caseName);
  const config = RagConfig.fromJson(readFixtureJson(`${caseName}/model/config.json`));
  const tokenizer = loadTokenizer(caseName, config);

  it('gives the question ids transformers gave', () => {
    for (const q of reference.per_question) {
      expect(tokenizer.encodeQuestions([q.question]).inputIds[0]).toEqual(q.question_input_ids);
    }
  });

  it('gives the padded, truncated context ids of the context strings', () => {
    for (const q of reference.per_question) {
      const enc = tokenizer.generator.encodeBatch(q.context_strings, { maxLength: config.maxCombinedLength, padding: 'max_length', truncation: true });
      expect(enc.inputIds).toEqual(q.context_input_ids);
      if (q.context_attention_mask) expect(enc.attentionMask).toEqual(q.context_attention_mask);
      else expect(enc.attentionMask.map((row) => row.filter((m) => m === 1).length)).toEqual(q.context_input_ids.map((row) => row.filter((id) => id !== 1).length));
    }
  });

  it('decodes generated sequences like batch_decode(skip_special_tokens=True)', () => {
    for (const q of reference.per_question) {
      for (const [setting, ids] of Object.entries(q.generate)) {
        expect(tokenizer.batchDecode(ids, { skipSpecialTokens: true }), setting).toEqual(q.generate_text[setting]);
      }
    }
  });

  it('encodes answers to the label ids', () => {
    reference.per_question.forEach((q, i) => {
      expect(tokenizer.generator.encode(reference.answers[i]!)).toEqual(q.labels);
    });
  });
});

describe('RagTokenizer mismatches', () => {
  it('rejects a generator tokenizer larger than the model vocabulary', () => {
    const json = readFixtureJson('hf-o1/model/config.json');
    const small = RagConfig.fromJson({ ...json, generator: { ...(json.generator as object), vocab_size: 10 } });
    expect(() => loadTokenizer('hf-o1', small)).toThrow(TokenizerMismatchError);
  });

  it('rejects tokenizers of another model (o2 tokenizers with the o1 config)', () => {
    const o1 = RagConfig.fromJson(readFixtureJson('hf-o1/model/config.json'));
    expect(() => loadTokenizer('hf-o2', o1)).toThrow(/vocab_size/);
  });
});

describe('RagTokenizer on inputs far past the model lengths', () => {
  const config = RagConfig.fromJson(readFixtureJson('tiny-a/model/config.json'));
  const tokenizer = loadTokenizer('tiny-a', config);
  const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 251} is, (a) ${i}`).join(' ');

  it('questions are truncated like tokenizer(question, truncation=True) to the question encoder positions', () => {
    const long = words(2_000);
    const full = tokenizer.questionEncoder.encode(long);
    expect(full.length).toBeGreaterThan(4 * config.questionEncoder.maxPositionEmbeddings);
    const ids = tokenizer.encodeQuestions([long]).inputIds[0]!;
    expect(tokenizer.maxQuestionLength).toBe(128);
    // [CLS] + the first 126 content ids + [SEP]
    expect(ids).toEqual([...full.slice(0, 127), full[full.length - 1]]);
  });

  it('a huge text is cut before tokenization: the truncated ids are those of the whole text', () => {
    const huge = words(4_000); // ~70 kB, past both cuts (256 and 48 tokens × 64 characters); tokenized whole only here, as the reference
    const full = tokenizer.generator.encode(huge);
    expect(tokenizer.generator.encode(huge, 256)).toEqual([...full.slice(0, 255), full[full.length - 1]]);
    const pair = tokenizer.questionEncoder.encodePairs([['A title', huge]], 48);
    const whole = tokenizer.questionEncoder.encode(`A title`);
    expect(pair.inputIds[0]).toHaveLength(48);
    expect(pair.inputIds[0]!.slice(0, whole.length - 1)).toEqual(whole.slice(0, -1));
    const fullPair = tokenizer.questionEncoder.encode(huge);
    expect(pair.inputIds[0]!.slice(whole.length, 47)).toEqual(fullPair.slice(1, 48 - whole.length));
  });
});
