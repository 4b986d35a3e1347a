import { GenerationConfig } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixtureJson, readReference } from '../../../test/fixture-files.js';
import { contextArgs } from '../../../test/generate-settings.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

/** tools/max_new_tokens_reference.py's output. */
interface MaxNewTokensReference {
  rag_token_generate_ignores_max_new_tokens: boolean;
  settings: Record<string, { variant: 'token' | 'sequence'; kwargs: Record<string, number> }>;
  per_question: Array<{ question: string; generate: Record<string, number[][]> }>;
}

/** The settings of tools/max_new_tokens_reference.py, camelCased. */
const SETTINGS: Record<string, { variant: 'token' | 'sequence'; args: Record<string, number> }> = {
  token_greedy_new5: { variant: 'token', args: { numBeams: 1, maxNewTokens: 5 } },
  token_beam3_new4: { variant: 'token', args: { numBeams: 3, maxNewTokens: 4 } },
  token_beam2_min6_new8: { variant: 'token', args: { numBeams: 2, minLength: 6, maxNewTokens: 8 } },
  token_greedy_new5_len12: { variant: 'token', args: { numBeams: 1, maxNewTokens: 5, maxLength: 12 } },
  seq_greedy_new4: { variant: 'sequence', args: { numBeams: 1, numReturnSequences: 1, maxNewTokens: 4 } },
  seq_beam2_ret1_new5: { variant: 'sequence', args: { numBeams: 2, numReturnSequences: 1, maxNewTokens: 5 } },
  seq_beam3_ret2_new6_len12: { variant: 'sequence', args: { numBeams: 3, numReturnSequences: 2, maxNewTokens: 6, maxLength: 12 } },
  // No length given: transformers' per-document generate reads its default max_length 20 as 20 new tokens.
  seq_beam2_ret1_default_length: { variant: 'sequence', args: { numBeams: 2, numReturnSequences: 1 } },
};

describe('maxNewTokens vs transformers (tiny-a, WASM in Node)', async () => {
  const rag = await RagModel.fromPretrained(fixturePath('tiny-a/model'), { device: 'wasm', cache: null });
  const reference = readFixtureJson<MaxNewTokensReference>('tiny-a/max_new_tokens_reference.json');
  const questions = readReference('tiny-a').per_question;
  const generate = (model: RagModel, variant: 'token' | 'sequence', args: object) =>
    variant === 'token' ? new RagTokenForGeneration(model).generate(args) : new RagSequenceForGeneration(model).generate(args);

  it('has the settings of the reference', () => {
    expect(Object.keys(SETTINGS)).toEqual(Object.keys(reference.settings));
    for (const [name, { variant }] of Object.entries(SETTINGS)) expect(variant, name).toBe(reference.settings[name]!.variant);
    // Why RAG-Token's reference is max_length = max_new_tokens + 1 (tools/max_new_tokens_reference.py).
    expect(reference.rag_token_generate_ignores_max_new_tokens).toBe(true);
  });

  for (const [setting, { variant, args }] of Object.entries(SETTINGS)) {
    it(`${setting}: the same token ids for every question, at most maxNewTokens (default 20) after the start token`, async () => {
      for (const [i, q] of questions.entries()) {
        const expected = reference.per_question[i]!;
        expect(expected.question).toBe(q.question);
        const ids = await generate(rag, variant, { ...contextArgs(q), ...args });
        expect(ids, q.question).toEqual(expected.generate[setting]);
        expect(Math.max(...ids.map((row) => row.length)), q.question).toBeLessThanOrEqual((args.maxNewTokens ?? 20) + 1);
      }
    });
  }

  it("generation_config.json's max_new_tokens is read and applied, and a per-call null lifts it", async () => {
    const json = { ...rag.components.generationConfig.toJson(), max_new_tokens: 5 };
    const generationConfig = GenerationConfig.fromJson(json);
    expect(generationConfig.maxNewTokens).toBe(5);
    const capped = new RagModel({ ...rag.components, generationConfig });
    for (const [i, q] of questions.entries()) {
      expect(await generate(capped, 'token', { ...contextArgs(q), numBeams: 1 }), q.question).toEqual(reference.per_question[i]!.generate.token_greedy_new5);
    }
    const lifted = await Promise.all(questions.map((q) => generate(capped, 'token', { ...contextArgs(q), numBeams: 1, maxNewTokens: null, maxLength: 12 })));
    expect(lifted).toEqual(questions.map((q) => q.generate.token_greedy_len12));
  });
});
