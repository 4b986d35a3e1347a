import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../test/expect-close.js';
import { FIXTURE_CASES, readReference } from '../../../../test/fixture-files.js';
import { tolerances } from '../../../../test/tolerances.js';
import { askFlags } from '../../test/generate-flags.js';
import { CLI_TEST_TIMEOUT, ensureCliBuilt, indexFixture, runCliJson, type RunOptions } from '../../test/run-cli.js';
import type { AskRecord } from './ask.js';

const ASK_KEYS = ['question', 'questionInputIds', 'questionPooled', 'docIds', 'docScores', 'contextStrings', 'contextInputIds', 'sequences', 'texts'];
/** Doc scores are inner products of 1e-4-accurate pooled vectors with the stored embeddings. */
const DOC_SCORES = { abs: 1e-4, rel: 1e-4 };

// The built CLI as a subprocess against transformers' values for each fixture: one `rag index`
// per case, then one `rag ask` per generate setting with every reference question.
describe.each(FIXTURE_CASES)('rag ask on %s vs transformers', (caseName) => {
  const reference = readReference(caseName);
  const settings = Object.keys(reference.per_question[0]!.generate);
  let kb = '';
  beforeAll(async () => {
    ensureCliBuilt();
    kb = await indexFixture(caseName, 'hnsw');
  }, CLI_TEST_TIMEOUT);

  const runs = new Map<string, Promise<AskRecord[]>>();
  /** `rag ask` with every reference question; one run per distinct flag list. */
  const ask = (flags: string[], options: RunOptions = {}): Promise<AskRecord[]> => {
    const key = `${flags.join(' ')}${options.plainNode ? ' (plain node)' : ''}`;
    if (!runs.has(key)) {
      const questions = reference.per_question.flatMap((q) => ['--question', q.question]);
      runs.set(key, runCliJson<AskRecord>(['ask', '--model', `fixtures/${caseName}/model`, '--kb', kb, ...questions, ...flags], options));
    }
    return runs.get(key)!;
  };
  const exact = (setting: string, device = 'wasm') => ask(['--index', 'exact', '--device', device, ...askFlags(setting)]);

  describe.concurrent('WASM', { timeout: CLI_TEST_TIMEOUT }, () => {
    it('--json has exactly the issue\'s keys; retrieval ids exactly, pooled output and doc scores within tolerance', async () => {
      const records = await exact('token_greedy_len12');
      expect(records).toHaveLength(reference.per_question.length);
      records.forEach((r, i) => {
        const q = reference.per_question[i]!;
        expect(Object.keys(r).sort()).toEqual([...ASK_KEYS].sort());
        expect(r.question).toBe(q.question);
        expect(r.questionInputIds).toEqual(q.question_input_ids);
        expect(r.docIds).toEqual(q.doc_ids);
        expect(r.contextStrings).toEqual(q.context_strings);
        expect(r.contextInputIds).toEqual(q.context_input_ids);
        expectClose(r.questionPooled, q.question_pooled, tolerances.wasm.pooled, `${q.question}: questionPooled`);
        expectClose(r.docScores, q.doc_scores, DOC_SCORES, `${q.question}: docScores`);
      });
    });

    for (const setting of settings) {
      it(`${setting}: the same token ids and texts for every question`, async () => {
        const records = await exact(setting);
        expect(records.map((r) => r.sequences)).toEqual(reference.per_question.map((q) => q.generate[setting]));
        expect(records.map((r) => r.texts)).toEqual(reference.per_question.map((q) => q.generate_text[setting]));
      });
    }

    it('with every default (stored HNSW graph, plain node): the top docs of exact search, the greedy answers', async () => {
      const records = await ask(askFlags('token_greedy_len12'), { plainNode: true });
      expect(records.map((r) => r.docIds)).toEqual(reference.per_question.map((q) => q.doc_ids));
      expect(records.map((r) => r.sequences)).toEqual(reference.per_question.map((q) => q.generate.token_greedy_len12));
    });
  });

  // The flags are device-independent: two settings (beam search with several returns for each variant).
  describe.concurrent('--device cpu (onnxruntime-node)', { timeout: CLI_TEST_TIMEOUT }, () => {
    for (const setting of ['token_beam3_ret2_len10', 'seq_beam2_ret2_nodedup_len8']) {
      it(`${setting}: the same token ids; pooled output within tolerance`, async () => {
        const records = await exact(setting, 'cpu');
        expect(records.map((r) => r.sequences)).toEqual(reference.per_question.map((q) => q.generate[setting]));
        records.forEach((r, i) => expectClose(r.questionPooled, reference.per_question[i]!.question_pooled, tolerances.wasm.pooled, 'questionPooled'));
      });
    }
  });
});

// tiny-a's weights as transformers.js repos (fixtures/tiny-a/hub: rag.json naming a BERT
// feature-extraction repo and a BART repo with the merged decoder), used by `rag ask` as they are.
describe('rag ask on tiny-a laid out as transformers.js repos (fixtures/tiny-a/hub, rag.json)', { timeout: CLI_TEST_TIMEOUT }, () => {
  const reference = readReference('tiny-a');
  let kb = '';
  beforeAll(async () => {
    ensureCliBuilt();
    kb = await indexFixture('tiny-a', 'hnsw');
  }, CLI_TEST_TIMEOUT);
  const ask = (model: string, flags: string[]) =>
    runCliJson<AskRecord>(['ask', '--model', model, '--kb', kb, '--index', 'exact', ...reference.per_question.flatMap((q) => ['--question', q.question]), ...flags]);

  describe.concurrent('against transformers and against the exporter\'s folder', () => {
    for (const [setting, device] of [
      ['token_beam3_ret2_len10', 'wasm'],
      ['seq_beam2_ret2_nodedup_len8', 'wasm'],
      ['token_greedy_len12', 'cpu'],
    ] as const) {
      it(`${setting} on ${device}: transformers' retrieval and token ids`, async () => {
        const records = await ask('fixtures/tiny-a/hub', ['--device', device, ...askFlags(setting)]);
        expect(records.map((r) => r.docIds)).toEqual(reference.per_question.map((q) => q.doc_ids));
        expect(records.map((r) => r.sequences)).toEqual(reference.per_question.map((q) => q.generate[setting]));
        expect(records.map((r) => r.texts)).toEqual(reference.per_question.map((q) => q.generate_text[setting]));
      });
    }

    it('--dtype q8 (the _quantized files): the same answers as the exporter\'s q8 folder', async () => {
      const flags = ['--dtype', 'q8', ...askFlags('token_beam3_len12')];
      const [hub, folder] = await Promise.all([ask('fixtures/tiny-a/hub', flags), ask('fixtures/tiny-a/model', flags)]);
      expect(hub.map((r) => r.sequences)).toEqual(folder.map((r) => r.sequences));
    });
  });
});
