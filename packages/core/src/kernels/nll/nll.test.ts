import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { RagConfigError, ShapeError } from '../../errors.js';
import { batchHfCases, HF_BOS_TOKEN_ID, HF_PAD_TOKEN_ID, hfCases } from '../../../../../test/hf-cases.js';
import { ragSequenceNllRef, ragTokenNllRef } from './nll.ref.js';

const exact = { abs: 1e-6, rel: 1e-6 };
const { log } = Math;

// V = 3, pad = 2. labels [0, 1, 0] -> shifted targets [1, 0, pad]: two scored positions.
const shape = { batch: 1, nDocs: 2, seqLen: 3, vocab: 3 };
const labels = new Int32Array([0, 1, 0]);
// doc 0: uniform everywhere; doc 1: p(1) = 1/2 at t = 0, p(0) = 1/2 at t = 1 (t = 2 is masked).
const seqLogits = new Float32Array([0, 0, 0, 0, 0, 0, 9, 9, 9, /* doc 1 */ 0, log(2), 0, log(2), 0, 0, 9, 9, 9]);
// posterior (1/4, 3/4)
const docScores = new Float32Array([0, log(3)]);

describe('ragTokenNllRef', () => {
  it('scores logits at t against label t + 1 and masks pads, on the marginal', () => {
    // marginal: t0 = 1/4·(1/3,1/3,1/3) + 3/4·(1/4,1/2,1/4); t1 = 1/4·(1/3,…) + 3/4·(1/2,1/4,1/4)
    const t0 = [1 / 12 + 3 / 16, 1 / 12 + 3 / 8, 1 / 12 + 3 / 16];
    const t1 = [1 / 12 + 3 / 8, 1 / 12 + 3 / 16, 1 / 12 + 3 / 16];
    const nll = -(log(t0[1]!) + log(t1[0]!));
    const smooth = -[...t0, ...t1].reduce((s, p) => s + log(p), 0);
    const got = ragTokenNllRef(seqLogits, docScores, labels, shape, { padTokenId: 2, epsilon: 0.1 });
    expectClose(got.nllLoss, [nll], exact);
    expectClose(got.smoothLoss, [smooth], exact);
    expectClose(got.loss, [0.9 * nll + (0.1 / 3) * smooth], exact);
  });

  it('equals the plain NLL under label smoothing when every distribution is uniform', () => {
    const zeros = new Float32Array(2 * 3 * 3);
    const got = ragTokenNllRef(zeros, new Float32Array([1, 2]), labels, shape, { padTokenId: 2, epsilon: 0.3 });
    expectClose(got.loss, [2 * log(3)], exact);
    expectClose(got.smoothLoss, [6 * log(3)], exact);
  });

  it('returns one value per question, or their sum with reduceLoss', () => {
    const two = { ...shape, batch: 2 };
    const logits2 = new Float32Array([...seqLogits, ...new Float32Array(18)]);
    const docs2 = new Float32Array([...docScores, 0, 0]);
    const labels2 = new Int32Array([0, 1, 0, 0, 0, 2]); // question 1: one scored position
    const per = ragTokenNllRef(logits2, docs2, labels2, two, { padTokenId: 2 });
    expect(per.loss.length).toBe(2);
    expectClose([per.loss[1]!], [log(3)], exact);
    const reduced = ragTokenNllRef(logits2, docs2, labels2, two, { padTokenId: 2, reduceLoss: true });
    expectClose(reduced.loss, [per.loss[0]! + per.loss[1]!], exact);
  });

  it('scores nothing when seqLen = 1 (the only target is the appended pad)', () => {
    const got = ragTokenNllRef(new Float32Array([1, 2, 3, 4, 5, 6]), docScores, new Int32Array([0]), { ...shape, seqLen: 1 }, { padTokenId: 2 });
    expect(got.loss[0]).toBeCloseTo(0, 12); // −0, as torch gives
  });

  it('validates ids and options', () => {
    expect(() => ragTokenNllRef(seqLogits, docScores, new Int32Array([0, 7, 0]), shape, { padTokenId: 2 })).toThrow(ShapeError);
    expect(() => ragTokenNllRef(seqLogits, docScores, labels, shape, { padTokenId: 3 })).toThrow(RagConfigError);
    expect(() => ragTokenNllRef(seqLogits, docScores, labels, shape, { padTokenId: 2, epsilon: NaN })).toThrow(RagConfigError);
    expect(() => ragTokenNllRef(seqLogits, docScores, labels.subarray(1), shape, { padTokenId: 2 })).toThrow(ShapeError);
  });
});

describe('ragSequenceNllRef', () => {
  // Per doc: ll_z = Σ_t log p_z(target_t) + log p(z) (the prior rides on t = 1).
  const ll0 = log(1 / 3) + log(1 / 3) + log(1 / 4);
  const ll1 = log(1 / 2) + log(1 / 2) + log(3 / 4);

  it('sums token log-probs per doc, adds the doc prior once, logsumexps over docs', () => {
    const got = ragSequenceNllRef(seqLogits, docScores, labels, shape, { padTokenId: 2 });
    expectClose(got.nllLoss, [-log(Math.exp(ll0) + Math.exp(ll1))], exact);
    const sm0 = 6 * log(1 / 3) + 3 * log(1 / 4);
    const sm1 = 2 * log(1 / 4) + log(1 / 2) + (log(1 / 2) + 2 * log(1 / 4)) + 3 * log(3 / 4);
    expectClose(got.smoothLoss, [-log(Math.exp(sm0) + Math.exp(sm1))], exact);
  });

  it('excludes position 0 only when excludeBosScore and every first target is BOS', () => {
    const excl = (bosTokenId: number | null) =>
      ragSequenceNllRef(seqLogits, docScores, labels, shape, { padTokenId: 2, excludeBosScore: true, bosTokenId }).nllLoss[0];
    // First shifted target is 1: with BOS 1 the first term goes, the prior (t = 1) stays.
    expect(excl(1)).toBeCloseTo(-log(Math.exp(ll0 - log(1 / 3)) + Math.exp(ll1 - log(1 / 2))), 6);
    expect(excl(0)).toBeCloseTo(-log(Math.exp(ll0) + Math.exp(ll1)), 6);
    expect(excl(null)).toBeCloseTo(-log(Math.exp(ll0) + Math.exp(ll1)), 6);
  });

  it('keeps HF quirks: seqLen = 1 gets no doc prior, so nll = −log nDocs', () => {
    const got = ragSequenceNllRef(new Float32Array(6), docScores, new Int32Array([0]), { ...shape, seqLen: 1 }, { padTokenId: 2 });
    expectClose(got.nllLoss, [-log(2)], exact);
  });
});

describe('get_nll references vs HF transformers', () => {
  const hf = { padTokenId: HF_PAD_TOKEN_ID };
  for (const c of hfCases()) {
    it(`${c.name}: token_loss, token_loss_reduced, seq_loss, seq_loss_excl_bos_reduced, seq_loss_smooth01`, () => {
      const shape = { batch: 1, nDocs: c.nDocs, seqLen: c.seqLen, vocab: c.vocab };
      const args = [c.generatorLogits, c.docScores, c.labels, shape] as const;
      const tol = tolerances.hf.reference;
      expectClose(ragTokenNllRef(...args, hf).loss, [c.tokenLoss], tol, 'token_loss');
      expectClose(ragTokenNllRef(...args, { ...hf, reduceLoss: true }).loss, [c.tokenLossReduced], tol, 'token_loss_reduced');
      expectClose(ragSequenceNllRef(...args, hf).loss, [c.seqLoss], tol, 'seq_loss');
      const exclBos = { ...hf, excludeBosScore: true, bosTokenId: HF_BOS_TOKEN_ID, reduceLoss: true };
      expectClose(ragSequenceNllRef(...args, exclBos).loss, [c.seqLossExclBosReduced], tol, 'seq_loss_excl_bos_reduced');
      const smooth = { ...hf, epsilon: 0.1, reduceLoss: true };
      expectClose(ragSequenceNllRef(...args, smooth).loss, [c.seqLossSmooth01], tol, 'seq_loss_smooth01');
    });
  }

  it('padding both questions of a fixture into one batch leaves each loss unchanged', () => {
    for (const fixture of ['hf-o1', 'hf-o2']) {
      const cases = hfCases().filter((c) => c.name.startsWith(fixture));
      const { shape, seqLogits: x, docScores: d, labels: l } = batchHfCases(cases);
      const tol = tolerances.hf.reference;
      expectClose(ragTokenNllRef(x, d, l, shape, hf).loss, cases.map((c) => c.tokenLoss), tol, `${fixture} token`);
      expectClose(ragSequenceNllRef(x, d, l, shape, hf).loss, cases.map((c) => c.seqLoss), tol, `${fixture} seq`);
    }
  });
});
