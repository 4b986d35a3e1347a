import { RagConfigError } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { BeamHypotheses, type EarlyStopping, type FinishedCandidate } from './beam-hypotheses.js';

const f32 = Math.fround;

function hyps(earlyStopping: EarlyStopping, lengthPenalty = 1, numBeams = 2, maxLength = 11): BeamHypotheses {
  return new BeamHypotheses([2], { numBeams, lengthPenalty, earlyStopping, maxLength, decoderPromptLen: 1 });
}

/** A finished candidate: prompt [2], then `generated` tokens; eligible unless said otherwise. */
function cand(logProb: number, generated: number[], eligible = true): FinishedCandidate {
  return { tokens: [2, ...generated], beamIndices: generated.map(() => 0), logProb, eligible };
}

describe('BeamHypotheses', () => {
  it('divides the summed log-prob by generatedLength ** lengthPenalty, in float32', () => {
    expect(hyps(false, 1).penalizedScore(-6, 3)).toBe(-2);
    expect(hyps(false, 2).penalizedScore(-6, 3)).toBe(f32(-6 / 9));
    expect(hyps(false, 0).penalizedScore(-6, 3)).toBe(-6);
    expect(hyps(false, -1).penalizedScore(-6, 3)).toBe(-18);
    expect(hyps(false, 0.5).penalizedScore(-1, 2)).toBe(f32(-1 / f32(Math.SQRT2)));
  });

  it('keeps the best eligible candidates, best first, scored by the length they reach', () => {
    const h = hyps(false);
    // curLen 2: the candidates have 2 generated tokens.
    h.add([cand(-3, [5, 2]), cand(-1, [4, 2], false), cand(-2, [3, 2])], 2);
    expect(h.hypotheses.map((x) => [x.tokens, x.score, x.finished])).toEqual([
      [[2, 3, 2], -1, true],
      [[2, 5, 2], -1.5, true],
    ]);
    expect(h.isFull).toBe(true);
    // A better one replaces the worst; a worse one changes nothing.
    h.add([cand(-4.8, [3, 3, 2])], 3);
    expect(h.hypotheses.map((x) => x.score)).toEqual([-1, -1.5]);
    h.add([cand(-2.4, [4, 4, 2])], 3);
    expect(h.hypotheses.map((x) => x.score)).toEqual([f32(-2.4 / 3), -1]);
  });

  it('starts with placeholders that are never finished', () => {
    const h = hyps(false, 1, 3);
    h.add([cand(-1, [2])], 1);
    expect(h.hypotheses.map((x) => x.finished)).toEqual([true, false, false]);
    expect(h.hypotheses[1]?.tokens).toEqual([2]);
    expect(h.hypotheses[1]?.score).toBe(-1e9);
    expect(h.isFull).toBe(false);
  });

  describe('isDone', () => {
    const filled = (es: EarlyStopping, lp = 1) => {
      const h = hyps(es, lp);
      h.add([cand(-2, [3, 2]), cand(-4, [4, 2])], 2); // scores -1 and -2 (length 2)
      return h;
    };

    it('is never done before every slot is finished (early_stopping false)', () => {
      const h = hyps(false);
      h.add([cand(-1, [2])], 1);
      h.updateEarlyStop(-1000, 2);
      expect(h.isDone).toBe(false);
    });

    it('early_stopping true: done as soon as the slots are full, and then takes nothing more', () => {
      const h = filled(true);
      expect(h.isDone).toBe(true);
      h.add([cand(-0.3, [5, 5, 2])], 3);
      expect(h.hypotheses.map((x) => x.score)).toEqual([-1, -2]);
    });

    it('early_stopping false: done when the best live beam at the current length cannot beat the worst', () => {
      const h = filled(false);
      expect(h.isDone).toBe(false);
      // curLen 4 → 3 generated tokens: -5/3 > -2, could still improve.
      h.updateEarlyStop(-5, 4);
      expect(h.isDone).toBe(false);
      // -7/3 < -2: no live beam can improve; the decision is final.
      h.updateEarlyStop(-7, 4);
      expect(h.isDone).toBe(true);
      h.updateEarlyStop(-0.1, 5);
      expect(h.isDone).toBe(true);
      // And it stops taking candidates, however good.
      h.add([cand(-0.1, [5, 5, 5, 2])], 4);
      expect(h.hypotheses.map((x) => x.score)).toEqual([-1, -2]);
    });

    it('early_stopping "never" with a positive length penalty assumes max_length; otherwise the current length', () => {
      const never = filled('never', 1);
      // max_length 11 → 10 generated tokens: -7/10 > -2, so not done (false would be done).
      never.updateEarlyStop(-7, 4);
      expect(never.isDone).toBe(false);
      never.updateEarlyStop(-21, 4);
      expect(never.isDone).toBe(true);

      const neverNoPenalty = filled('never', 0); // scores -2 and -4
      neverNoPenalty.updateEarlyStop(-5, 4);
      expect(neverNoPenalty.isDone).toBe(true);
    });
  });

  it('validates its options', () => {
    expect(() => hyps('sometimes' as unknown as EarlyStopping)).toThrow(RagConfigError);
    expect(() => hyps(false, Number.NaN)).toThrow(/length_penalty/);
    expect(() => new BeamHypotheses([2, 2], { numBeams: 2, lengthPenalty: 1, earlyStopping: false, maxLength: 5, decoderPromptLen: 1 })).toThrow(
      /decoderPromptLen/,
    );
  });
});
