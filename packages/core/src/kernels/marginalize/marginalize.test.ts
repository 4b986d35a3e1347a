import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { ShapeError } from '../../errors.js';
import { logSoftmaxRef } from '../log-softmax/log-softmax.ref.js';
import { hfCases } from '../../../../../test/hf-cases.js';
import { logSumExpRef, marginalizeRef } from './marginalize.ref.js';

const exact = { abs: 1e-6, rel: 1e-6 };

describe('marginalizeRef', () => {
  it('mixes per-doc token distributions with the doc posterior', () => {
    // doc 0: p = (1/2, 1/2); doc 1: p = (3/4, 1/4); equal doc scores: posterior (1/2, 1/2).
    const seqLogits = new Float32Array([0, 0, Math.log(3), 0]);
    const got = marginalizeRef(seqLogits, new Float32Array([2, 2]), { batch: 1, nDocs: 2, seqLen: 1, vocab: 2 });
    expectClose(got, [Math.log(0.625), Math.log(0.375)], exact);
  });

  it('weights docs by softmax(doc scores) per question, batch rows independent', () => {
    // b=0: doc scores (0, log 3) -> posterior (1/4, 3/4); b=1 has one position per doc too.
    const seqLogits = new Float32Array([0, 0, Math.log(3), 0, /* b=1 */ 5, 5, 5, 5]);
    const docScores = new Float32Array([0, Math.log(3), 7, -7]);
    const got = marginalizeRef(seqLogits, docScores, { batch: 2, nDocs: 2, seqLen: 1, vocab: 2 });
    expectClose(got, [Math.log(0.25 * 0.5 + 0.75 * 0.75), Math.log(0.25 * 0.5 + 0.75 * 0.25), -Math.log(2), -Math.log(2)], exact);
  });

  it('is log_softmax when nDocs = 1, whatever the doc score', () => {
    const x = new Float32Array([1, -2, 100, -100, 0.5, 3]);
    const got = marginalizeRef(x, new Float32Array([-42]), { batch: 1, nDocs: 1, seqLen: 2, vocab: 3 });
    expectClose(got, logSoftmaxRef(x, { rows: 2, vocab: 3 }), exact);
  });

  it('follows torch for −inf: a −inf token in every doc stays −inf, an all −inf row poisons with NaN', () => {
    // layout (z, t, v): doc 0 = [[-inf, 0], [-inf, -inf]], doc 1 = [[-inf, 1], [0, 0]]
    const x = new Float32Array([-Infinity, 0, -Infinity, -Infinity, /* doc 1 */ -Infinity, 1, 0, 0]);
    const got = marginalizeRef(x, new Float32Array([0, 0]), { batch: 1, nDocs: 2, seqLen: 2, vocab: 2 });
    expect(got[0]).toBe(-Infinity);
    expect(got[1]).toBeCloseTo(0, 6);
    expect(Number.isNaN(got[2]!) && Number.isNaN(got[3]!)).toBe(true);
  });

  it('logSumExpRef gives −inf, not NaN, when every term is −inf (torch.logsumexp)', () => {
    expect(logSumExpRef([-Infinity, -Infinity], 0, 2)).toBe(-Infinity);
    expect(logSumExpRef([1000, 1000], 0, 2)).toBeCloseTo(1000 + Math.log(2), 9);
  });

  it('rejects mismatched sizes with ShapeError', () => {
    expect(() => marginalizeRef(new Float32Array(7), new Float32Array(2), { batch: 1, nDocs: 2, seqLen: 2, vocab: 2 })).toThrow(ShapeError);
    expect(() => marginalizeRef(new Float32Array(8), new Float32Array(3), { batch: 1, nDocs: 2, seqLen: 2, vocab: 2 })).toThrow(ShapeError);
  });
});

describe('marginalizeRef vs HF transformers', () => {
  for (const c of hfCases()) {
    it(`${c.name}: token_marginalized_logits_last (do_marginalize, decoder_input_ids = labels)`, () => {
      const shape = { batch: 1, nDocs: c.nDocs, seqLen: c.seqLen, vocab: c.vocab };
      const got = marginalizeRef(c.generatorLogits, c.docScores, shape);
      expectClose(got.subarray((c.seqLen - 1) * c.vocab), c.marginalizedLast, tolerances.hf.reference, c.name);
    });
  }
});
