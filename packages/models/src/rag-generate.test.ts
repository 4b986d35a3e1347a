import { describe, expect, it } from 'vitest';
import { FIXTURE_CASES, fixturePath, readReference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

describe.each(FIXTURE_CASES)('generate on %s vs transformers (WASM in Node)', async (caseName) => {
  const rag = await RagModel.fromPretrained(fixturePath(`${caseName}/model`), { device: 'wasm', cache: null });
  const token = new RagTokenForGeneration(rag);
  const sequence = new RagSequenceForGeneration(rag);
  const reference = readReference(caseName);

  for (const [setting, { variant, args }] of Object.entries(GENERATE_SETTINGS)) {
    it(`${setting}: the same token ids for every question`, async () => {
      for (const q of reference.per_question) {
        const inputs = { ...contextArgs(q), ...args };
        const ids = variant === 'token' ? await token.generate(inputs) : await sequence.generate(inputs);
        expect(ids, `${q.question}`).toEqual(q.generate[setting]);
      }
    });
  }
});
