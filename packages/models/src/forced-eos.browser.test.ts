import { describe, expect, it, vi } from 'vitest';
import tinyP from '../../../fixtures/tiny-p/reference.json';
import type { Reference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { RagTokenForGeneration } from './rag-token.js';

// forced_eos_token_id as a list (several tokens forced at once on the GPU) with bad_words_ids, on
// WebGPU, against transformers (tiny-p, tools/make_fixtures.py). The WASM side runs in
// rag-generate.test.ts with every other setting.
vi.setConfig({ testTimeout: 180_000 });
const ref = tinyP as unknown as Reference;
const setting = 'token_beam3_eoslist_badwords_len10';

describe(`${setting} on WebGPU vs transformers (tiny-p)`, () => {
  it('generates transformers ids for the first questions', async () => {
    const model = await RagTokenForGeneration.fromPretrained('/fixtures/tiny-p/model', { device: 'webgpu', cache: null });
    expect(model.rag.device).toBe('webgpu');
    const { args } = GENERATE_SETTINGS[setting]!;
    expect(args.forcedEosTokenId).toEqual([2, 0]);
    for (const q of ref.per_question.slice(0, 3)) {
      expect(await model.generate({ ...contextArgs(q), ...args })).toEqual(q.generate[setting]);
    }
    await model.rag.dispose();
  });
});
