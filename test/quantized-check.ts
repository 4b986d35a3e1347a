// One check of a quantized export against the fp32 transformers values, shared by the WASM
// (Node) and WebGPU (Chromium) suites.
import { expect } from 'vitest';
import type { RagTokenForGeneration } from '../packages/models/src/rag-token.js';
import type { Reference } from './fixture-files.js';
import { contextArgs } from './generate-settings.js';

export async function checkQuantized(
  model: RagTokenForGeneration,
  reference: Reference,
  bounds: { pooled: number; lossRel: number; sameGreedy: number },
  questions = reference.per_question.length,
): Promise<void> {
  let same = 0;
  const asked = reference.per_question.slice(0, questions);
  for (const q of asked) {
    const pooled = await model.rag.components.questionEncoder.forward([q.question_input_ids], [q.question_input_ids.map(() => 1)]);
    const worst = Math.max(...Array.from(pooled, (v, i) => Math.abs(v - q.question_pooled[i]!)));
    expect(worst, `question_pooled |Δ| for "${q.question}"`).toBeLessThanOrEqual(bounds.pooled);
    const loss = (await model.forward({ ...contextArgs(q), labels: [q.labels] })).loss!.data[0]!;
    expect(Math.abs(loss - q.token_loss) / q.token_loss, `token_loss relative error for "${q.question}"`).toBeLessThanOrEqual(bounds.lossRel);
    const greedy = await model.generate({ ...contextArgs(q), numBeams: 1, maxLength: 12 });
    if (JSON.stringify(greedy) === JSON.stringify(q.generate.token_greedy_len12)) same++;
  }
  expect(same / asked.length, `share of greedy answers equal to fp32 (${same}/${asked.length})`).toBeGreaterThanOrEqual(bounds.sameGreedy);
}
