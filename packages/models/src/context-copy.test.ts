import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { contextCopyConstraint } from './generation/context-copy.js';
import { InvalidInputError } from './errors.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

interface CopyReference {
  settings: string[];
  per_question: Array<{ question: string; generate: Record<string, number[][]>; generate_text: Record<string, string[]> }>;
}

describe('contextCopyConstraint', () => {
  // ids: 0 <s>, 1 <pad>, 2 </s>, 3 ĠLy, 4 on, 5 ĠParis, 6 ., 7 Ġis, 8 ia
  const tokens = ['<s>', '<pad>', '</s>', 'ĠLy', 'on', 'ĠParis', '.', 'Ġis', 'ia'];
  const allowed = contextCopyConstraint({
    contexts: [[[0, 7, 3, 4, 6, 2, 1, 1], [5, 7, 3, 8]]],
    tokens,
    specialIds: [0, 1, 2],
    eosTokenId: 2,
  });

  it('starts at a word of a context, continues the written span, ends only at a word boundary', () => {
    expect(allowed(0, [2])).toEqual([3, 5, 7]); // word starts of both rows
    expect(allowed(0, [2, 3])).toEqual([4, 8]); // "Ly" goes on ("on", "ia"): no EOS inside a word
    expect(allowed(0, [2, 3, 4])).toEqual([2, 6]); // "Lyon" then "." or the end
    expect(allowed(0, [2, 5])).toEqual([2, 7]); // "Paris" then " is", or the end
    expect(allowed(0, [2, 3, 8])).toEqual([2]); // "Lyia" ends its row
    expect(allowed(0, [2, 7, 5])).toEqual([2]); // "is Paris" is in no context: only EOS
  });
});

describe('copy decoding vs transformers with the same prefix_allowed_tokens_fn (tiny-a, WASM in Node)', async () => {
  const rag = await RagModel.fromPretrained(fixturePath('tiny-a/model'), { device: 'wasm', cache: null });
  const token = new RagTokenForGeneration(rag);
  const sequence = new RagSequenceForGeneration(rag);
  const reference = readReference('tiny-a');
  // tools/copy_reference.py
  const copy = JSON.parse(readFileSync(fixturePath('tiny-a/copy_reference.json'), 'utf8')) as CopyReference;

  for (const setting of copy.settings) {
    it(`${setting}: the same token ids for every question`, async () => {
      const { variant, args } = GENERATE_SETTINGS[setting]!;
      let changed = 0;
      for (const [i, q] of reference.per_question.entries()) {
        const expected = copy.per_question[i]!;
        expect(expected.question).toBe(q.question);
        const inputs = { ...contextArgs(q), ...args, copyFromContexts: true };
        const ids = variant === 'token' ? await token.generate(inputs) : await sequence.generate(inputs);
        expect(ids, q.question).toEqual(expected.generate[setting]);
        if (JSON.stringify(ids) !== JSON.stringify(q.generate[setting])) changed++;
      }
      // The constraint is doing something on these inputs (else the test would pass without it).
      expect(changed).toBeGreaterThan(0);
    });
  }

  it('copyFromContexts with a prefixAllowedTokensFn of its own is an InvalidInputError', async () => {
    const q = reference.per_question[0]!;
    await expect(token.generate({ ...contextArgs(q), copyFromContexts: true, prefixAllowedTokensFn: () => [2] })).rejects.toThrow(InvalidInputError);
  });
});
