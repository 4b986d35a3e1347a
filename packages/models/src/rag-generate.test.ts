import { describe, expect, it } from 'vitest';
import { FIXTURE_CASES, fixturePath, readReference } from '../../../test/fixture-files.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

/** The generate settings of tools/make_fixtures.py, by name. */
export const GENERATE_SETTINGS: Record<string, { variant: 'token' | 'sequence'; args: Record<string, unknown> }> = {
  token_greedy_len12: { variant: 'token', args: { numBeams: 1, maxLength: 12 } },
  token_beam3_len12: { variant: 'token', args: { numBeams: 3, maxLength: 12 } },
  token_beam3_ret2_len10: { variant: 'token', args: { numBeams: 3, numReturnSequences: 2, maxLength: 10 } },
  token_beam2_min6_len10_norepeat2: { variant: 'token', args: { numBeams: 2, minLength: 6, maxLength: 10, noRepeatNgramSize: 2 } },
  seq_beam2_ret1_len10: { variant: 'sequence', args: { numBeams: 2, numReturnSequences: 1, maxLength: 10 } },
  seq_beam3_ret2_len10: { variant: 'sequence', args: { numBeams: 3, numReturnSequences: 2, maxLength: 10 } },
  seq_beam2_ret2_nodedup_len8: { variant: 'sequence', args: { numBeams: 2, numReturnSequences: 2, maxLength: 8, doDeduplication: false } },
};

describe.each(FIXTURE_CASES)('generate on %s vs transformers (WASM in Node)', async (caseName) => {
  const rag = await RagModel.fromPretrained(fixturePath(`${caseName}/model`), { device: 'wasm', cache: null });
  const token = new RagTokenForGeneration(rag);
  const sequence = new RagSequenceForGeneration(rag);
  const reference = readReference(caseName);

  for (const [setting, { variant, args }] of Object.entries(GENERATE_SETTINGS)) {
    it(`${setting}: the same token ids for every question`, async () => {
      for (const q of reference.per_question) {
        const inputs = {
          contextInputIds: q.context_input_ids,
          contextAttentionMask: q.context_input_ids.map((row) => row.map((id) => (id === 1 ? 0 : 1))),
          docScores: [q.doc_scores],
          ...args,
        };
        const ids = variant === 'token' ? await token.generate(inputs) : await sequence.generate(inputs);
        expect(ids, `${q.question}`).toEqual(q.generate[setting]);
      }
    });
  }
});
