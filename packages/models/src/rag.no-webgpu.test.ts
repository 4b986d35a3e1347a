import { expect, it } from 'vitest';
import reference from '../../../fixtures/hf-o1/reference.json';
import { expectClose } from '../../../test/expect-close.js';
import type { Reference } from '../../../test/fixture-files.js';
import { contextArgs } from '../../../test/generate-settings.js';
import { tolerances } from '../../../test/tolerances.js';
import { CpuRagMath } from './decoding/cpu-rag-math.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

// Chromium with WebGPU disabled: `device: 'auto'` must pick WASM and still match transformers.
const ref = reference as unknown as Reference;

it('auto picks WASM without an adapter and keeps parity', async () => {
  const token = await RagTokenForGeneration.fromPretrained('/fixtures/hf-o1/model', { device: 'auto', cache: null });
  expect(token.rag.device).toBe('wasm');
  expect(token.rag.math).toBeInstanceOf(CpuRagMath);
  const sequence = new RagSequenceForGeneration(token.rag);
  for (const q of ref.per_question.slice(0, 2)) {
    const pooled = await token.rag.components.questionEncoder.forward([q.question_input_ids], [q.question_input_ids.map(() => 1)]);
    expectClose(pooled, q.question_pooled, tolerances.wasm.pooled, 'question_pooled');
    const out = await token.forward({ ...contextArgs(q), labels: [q.labels] });
    expectClose(out.loss!.data, [q.token_loss], tolerances.wasm.loss, 'token_loss');
    expect(await token.generate({ ...contextArgs(q), numBeams: 3, maxLength: 12 })).toEqual(q.generate.token_beam3_len12);
    expect(await sequence.generate({ ...contextArgs(q), numBeams: 2, numReturnSequences: 1, maxLength: 10 })).toEqual(q.generate.seq_beam2_ret1_len10);
  }
  await token.dispose();
});
