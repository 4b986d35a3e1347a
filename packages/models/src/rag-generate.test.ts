import { describe, expect, it, vi } from 'vitest';
import { FIXTURE_LAYOUT_CASES, fixturePath, PER_ROW_CROSS_ATTENTION_CASES, readReference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

describe.each(FIXTURE_LAYOUT_CASES)('generate on %s vs transformers (%s, WASM in Node)', async (caseName, generatorLayout) => {
  const rag = await RagModel.fromPretrained(fixturePath(`${caseName}/model`), { device: 'wasm', cache: null, generatorLayout });
  it('loaded the generator layout asked for', () => expect(rag.components.layouts.generator).toBe(generatorLayout));
  it('reads the cross-attention contract its decoder was exported with', () => {
    expect(rag.components.generator.sharedCrossAttention).toBe(!PER_ROW_CROSS_ATTENTION_CASES.includes(caseName));
  });
  const token = new RagTokenForGeneration(rag);
  const sequence = new RagSequenceForGeneration(rag);
  const reference = readReference(caseName);

  it('knows every generate setting the fixture has', () => {
    expect(Object.keys(GENERATE_SETTINGS)).toEqual(expect.arrayContaining(Object.keys(reference.per_question[0]!.generate)));
  });

  for (const [setting, { variant, args }] of Object.entries(GENERATE_SETTINGS)) {
    it.runIf(setting in reference.per_question[0]!.generate)(`${setting}: the same token ids for every question`, async () => {
      for (const q of reference.per_question) {
        const inputs = { ...contextArgs(q), ...args };
        const ids = variant === 'token' ? await token.generate(inputs) : await sequence.generate(inputs);
        expect(ids, `${q.question}`).toEqual(q.generate[setting]);
      }
    });
  }

  it('RAG-Sequence rescoring one candidate per pass: the same ids, one generator pass per candidate', async () => {
    const chunked = new RagSequenceForGeneration(rag);
    chunked.rescoreLogitsBytes = 1;
    const forwardLogits = vi.spyOn(rag.components.generator, 'forwardLogits');
    try {
      const sequenceSettings = Object.entries(GENERATE_SETTINGS).filter(([setting, { variant }]) => variant === 'sequence' && setting in reference.per_question[0]!.generate);
      expect(sequenceSettings.length).toBeGreaterThan(0);
      for (const [setting, { args }] of sequenceSettings) {
        for (const q of reference.per_question) {
          forwardLogits.mockClear();
          expect(await chunked.generate({ ...contextArgs(q), ...args }), `${setting}: ${q.question}`).toEqual(q.generate[setting]);
          expect(forwardLogits.mock.calls.length, setting).toBeGreaterThanOrEqual(q.generate[setting]!.length);
          expect(forwardLogits.mock.calls.every(([ids]) => ids.length === q.context_input_ids.length)).toBe(true);
        }
      }
    } finally {
      forwardLogits.mockRestore();
    }
  });

  it.runIf(reference.batch2_generate !== undefined)('the first two questions as one batch', async () => {
    const [a, b] = reference.per_question as [(typeof reference.per_question)[number], (typeof reference.per_question)[number]];
    const batch = {
      contextInputIds: [...a.context_input_ids, ...b.context_input_ids],
      contextAttentionMask: [...contextArgs(a).contextAttentionMask, ...contextArgs(b).contextAttentionMask],
      docScores: [a.doc_scores, b.doc_scores],
    };
    for (const [setting, ids] of Object.entries(reference.batch2_generate!.generate)) {
      const { variant, args } = GENERATE_SETTINGS[setting]!;
      const got = variant === 'token' ? await token.generate({ ...batch, ...args }) : await sequence.generate({ ...batch, ...args });
      expect(got, setting).toEqual(ids);
    }
  });
});
