import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { FIXTURE_LAYOUT_CASES, fixturePath, readReference } from '../../../test/fixture-files.js';
import { tolerances } from '../../../test/tolerances.js';
import { InvalidInputError } from './errors.js';
import { forwardWithLabels } from './rag-forward.js';
import { RagModel } from './rag-model.js';

describe.each(FIXTURE_LAYOUT_CASES)('forward(labels) on %s vs transformers (%s, WASM in Node)', async (caseName, generatorLayout) => {
  const rag = await RagModel.fromPretrained(fixturePath(`${caseName}/model`), { device: 'wasm', cache: null, generatorLayout });
  it('loaded the generator layout asked for', () => expect(rag.components.layouts.generator).toBe(generatorLayout));
  const reference = readReference(caseName);
  const nDocs = rag.config.nDocs;
  const argsOf = (q: (typeof reference.per_question)[number]) => ({
    contextInputIds: q.context_input_ids,
    contextAttentionMask: q.context_input_ids.map((row) => row.map((id) => (id === 1 ? 0 : 1))),
    docScores: [q.doc_scores],
    labels: [q.labels],
  });

  it('RAG-Token losses: plain, reduced, label smoothing 0.1 where the fixture has it', async () => {
    for (const q of reference.per_question) {
      const plain = await forwardWithLabels(rag, 'token', argsOf(q));
      expectClose(plain.loss!.data, [q.token_loss], tolerances.wasm.loss, 'token_loss');
      const reduced = await forwardWithLabels(rag, 'token', { ...argsOf(q), reduceLoss: true });
      expectClose(reduced.loss!.data, [q.token_loss_reduced], tolerances.wasm.loss, 'token_loss_reduced');
      if (q.token_loss_smooth01 !== undefined) {
        const smooth = await forwardWithLabels(rag, 'token', { ...argsOf(q), labelSmoothing: 0.1, reduceLoss: true });
        expectClose(smooth.loss!.data, [q.token_loss_smooth01], tolerances.wasm.loss, 'token_loss_smooth01');
      }
    }
  });

  it('RAG-Token marginalized log-probs of the last position', async () => {
    for (const q of reference.per_question) {
      const out = await forwardWithLabels(rag, 'token', { ...argsOf(q), doMarginalize: true });
      const [, seqLen, vocab] = out.logits.dims as [number, number, number];
      expect(out.logits.dims).toEqual([1, q.labels.length, rag.config.generator.vocabSize]);
      expectClose(out.logits.data.subarray((seqLen - 1) * vocab), q.token_marginalized_logits_last, tolerances.wasm.logits, 'marginalized last');
    }
  });

  it('RAG-Sequence losses: plain, exclude_bos_score + reduce, label smoothing 0.1', async () => {
    for (const q of reference.per_question) {
      expectClose((await forwardWithLabels(rag, 'sequence', argsOf(q))).loss!.data, [q.seq_loss], tolerances.wasm.loss, 'seq_loss');
      if (q.seq_loss_reduced !== undefined) {
        const reduced = await forwardWithLabels(rag, 'sequence', { ...argsOf(q), reduceLoss: true });
        expectClose(reduced.loss!.data, [q.seq_loss_reduced], tolerances.wasm.loss, 'seq_loss_reduced');
      }
      const excl = await forwardWithLabels(rag, 'sequence', { ...argsOf(q), excludeBosScore: true, reduceLoss: true });
      expectClose(excl.loss!.data, [q.seq_loss_excl_bos_reduced], tolerances.wasm.loss, 'seq_loss_excl_bos_reduced');
      const smooth = await forwardWithLabels(rag, 'sequence', { ...argsOf(q), labelSmoothing: 0.1, reduceLoss: true });
      expectClose(smooth.loss!.data, [q.seq_loss_smooth01], tolerances.wasm.loss, 'seq_loss_smooth01');
    }
  });

  it('a batch of two padded questions gives each its own loss', async () => {
    const [a, b] = reference.per_question as [(typeof reference.per_question)[number], (typeof reference.per_question)[number]];
    const width = Math.max(a.labels.length, b.labels.length);
    const pad = (l: number[]) => [...l, ...new Array<number>(width - l.length).fill(1)];
    const out = await forwardWithLabels(rag, 'token', {
      contextInputIds: [...a.context_input_ids, ...b.context_input_ids],
      docScores: [a.doc_scores, b.doc_scores],
      contextAttentionMask: [...a.context_input_ids, ...b.context_input_ids].map((row) => row.map((id) => (id === 1 ? 0 : 1))),
      labels: [pad(a.labels), pad(b.labels)],
    });
    expectClose(out.loss!.data, [a.token_loss, b.token_loss], tolerances.wasm.loss, 'batched token_loss');
  });

  it('rejects nDocs that does not match the rows of contextInputIds', async () => {
    const q = reference.per_question[0]!;
    await expect(forwardWithLabels(rag, 'token', { ...argsOf(q), nDocs: nDocs + 1 })).rejects.toThrow(InvalidInputError);
    await expect(forwardWithLabels(rag, 'token', { ...argsOf(q), contextInputIds: q.context_input_ids.slice(1) })).rejects.toThrow(/nDocs does not match/);
  });
});
