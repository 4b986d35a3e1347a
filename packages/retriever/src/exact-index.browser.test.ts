import { acquireGpuDevice } from '@rag-web/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../test/seeded-random.js';
import { tolerances } from '../../../test/tolerances.js';
import o1 from '../../../fixtures/hf-o1/reference.json?raw';
import o2 from '../../../fixtures/hf-o2/reference.json?raw';
import { ExactIndex } from './exact-index.js';
import { readNpy } from './npy.js';

let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

describe('ExactIndex on WebGPU', () => {
  it('agrees with the CPU path (ids exactly, scores to kernel tolerance), across shards, after removes', async () => {
    const d = 48;
    const n = 3000;
    const rand = seededRandom(11);
    const vectors = randomFloats(rand, n * d);
    // Rows 10 and 2000 duplicate row 5: exact ties, lower id first.
    vectors.copyWithin(10 * d, 5 * d, 6 * d);
    vectors.copyWithin(2000 * d, 5 * d, 6 * d);
    const ids = Array.from({ length: n }, (_, i) => i);
    for (const maxShardRows of [undefined, 700]) {
      const gpu = new ExactIndex(d, device, maxShardRows ? { maxShardRows } : {});
      const cpu = new ExactIndex(d);
      for (const ix of [gpu, cpu]) {
        ix.add(ids, vectors);
        ix.remove([7, 2999]);
      }
      const queries = new Float32Array([...vectors.subarray(5 * d, 6 * d), ...randomFloats(rand, 4 * d)]);
      const a = await gpu.search(queries, 16);
      const b = await cpu.search(queries, 16);
      expect([...a.ids]).toEqual([...b.ids]);
      expectClose(a.scores, b.scores, tolerances.webgpu.kernelVsRef, 'exact scores');
      expect([...a.ids.subarray(0, 3)]).toEqual([5, 10, 2000]);
      gpu.dispose();
    }
  });

  it.each([
    ['hf-o1', o1],
    ['hf-o2', o2],
  ])('reproduces the doc ids and scores of %s', async (name, text) => {
    const ref = JSON.parse(text) as { config: { n_docs: number }; per_question: Array<{ question_pooled: number[]; doc_ids: number[]; doc_scores: number[] }> };
    const npy = readNpy(new Uint8Array(await (await fetch(`/fixtures/${name}/passage_embeddings.npy`)).arrayBuffer()));
    const index = new ExactIndex(npy.cols, device);
    index.add(
      Array.from({ length: npy.rows }, (_, i) => i),
      npy.data,
    );
    const k = ref.config.n_docs;
    const res = await index.search(Float32Array.from(ref.per_question.flatMap((q) => q.question_pooled)), k);
    ref.per_question.forEach((q, i) => {
      expect([...res.ids.subarray(i * k, (i + 1) * k)]).toEqual(q.doc_ids);
      expectClose(res.scores.subarray(i * k, (i + 1) * k), q.doc_scores, tolerances.retriever.hfDocScores, `${name} q${i}`);
    });
    index.dispose();
  });
});
