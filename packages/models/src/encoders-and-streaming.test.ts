import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { contextArgs } from '../../../test/generate-settings.js';
import { readFloat32Npy } from '../../../test/npy.js';
import { tolerances } from '../../../test/tolerances.js';
import { RagTokenForGeneration } from './rag-token.js';

describe.each(['tiny-a', 'hf-o1'])('%s: context encoder, batched questions, streaming, prefix constraints (WASM)', async (caseName) => {
  const model = await RagTokenForGeneration.fromPretrained(fixturePath(`${caseName}/model`), { device: 'wasm', cache: null, loadContextEncoder: true });
  const reference = readReference(caseName);

  it('DPRContextEncoder.embed gives passage_embeddings.npy for (title, text) pairs, in batches', async () => {
    const { data, shape } = readFloat32Npy(fixturePath(`${caseName}/passage_embeddings.npy`));
    const dim = shape[1]!;
    const passages = readFileSync(fixturePath(`${caseName}/passages.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 40)
      .map((line) => JSON.parse(line) as { title: string; text: string });
    const embedded = await model.rag.components.contextEncoder!.embed(passages);
    expectClose(embedded, data.subarray(0, passages.length * dim), tolerances.wasm.pooled, 'passage embeddings');
  });

  it('two questions encoded as one padded batch give batch2_question_pooled', async () => {
    const { tokenizer, questionEncoder } = model.rag.components;
    const enc = tokenizer.encodeQuestions(reference.questions.slice(0, 2));
    expectClose(await questionEncoder.forward(enc.inputIds, enc.attentionMask), reference.batch2_question_pooled.flat(), tolerances.wasm.pooled, 'batch2 pooled');
  });

  it('greedy streaming hands out each token as it is generated, and they make up the result', async () => {
    const q = reference.per_question[0]!;
    const expected = q.generate.token_greedy_len12!;
    const streamed: number[] = [];
    const ids = await model.generate({ ...contextArgs(q), numBeams: 1, maxLength: 12, onTokens: ([t]) => streamed.push(t!) });
    expect(ids).toEqual(expected);
    expect([ids[0]![0], ...streamed].slice(0, ids[0]!.length)).toEqual(ids[0]);
  });

  it('prefixAllowedTokensFn constrains every step (beam search)', async () => {
    const q = reference.per_question[0]!;
    // Force the reference greedy answer reversed: an unlikely sequence only the constraint produces.
    const greedy = q.generate.token_greedy_len12![0]!;
    const target = greedy.slice(1, -1).reverse();
    const eos = model.config.generator.eosTokenId!;
    const ids = await model.generate({
      ...contextArgs(q),
      numBeams: 2,
      maxLength: target.length + 2,
      prefixAllowedTokensFn: (_batchId, prefix) => [target[prefix.length - 1] ?? eos],
    });
    expect(ids[0]).toEqual([greedy[0], ...target, eos]);
  });
});
