// Test code only: the dense forms of generation — each logits processor applied to full score
// rows exactly as transformers' torch code does, and greedy / beam steps from those rows. They are
// the oracle that the edit form (`RowEdit`s, what the product runs on both backends) must equal.
import { ShapeError } from '@rag-web/core';
import type { BeamCandidates } from '../src/generation/beam-search-scorer.js';
import { f32 } from '../src/generation/float32-topk.js';
import { argmaxRows } from '../src/generation/greedy-search.js';
import { LogitsProcessorList } from '../src/generation/logits-processor-list.js';
import {
  checkProcessorInputs,
  ForcedBOSTokenLogitsProcessor,
  ForcedEOSTokenLogitsProcessor,
  MinLengthLogitsProcessor,
  NoBadWordsLogitsProcessor,
  NoRepeatNGramLogitsProcessor,
  PrefixConstrainedLogitsProcessor,
  type InputIds,
  type LogitsProcessor,
} from '../src/generation/logits-processors.js';
import type { BeamStepFn, GreedyStepFn } from '../src/generation/search-drivers.js';

/** `processor(input_ids, scores)` of transformers on (rows × vocabSize) scores, in place. */
export function denseApply(p: LogitsProcessor, inputIds: InputIds, scores: Float32Array, vocabSize: number): void {
  const curLen = checkProcessorInputs('denseApply', inputIds, scores, vocabSize);
  const rows = inputIds.length;
  const fill = (r: number, value: number) => scores.fill(value, r * vocabSize, (r + 1) * vocabSize);
  if (p instanceof LogitsProcessorList) {
    for (const q of p.processors) denseApply(q, inputIds, scores, vocabSize);
  } else if (p instanceof MinLengthLogitsProcessor) {
    // torch.isin over arange(vocab): ids past the vocabulary match nothing.
    if (curLen < p.minLength) for (let r = 0; r < rows; r++) for (const eos of p.eosTokenIds) if (eos < vocabSize) scores[r * vocabSize + eos] = -Infinity;
  } else if (p instanceof NoRepeatNGramLogitsProcessor) {
    inputIds.forEach((row, r) => {
      for (const t of p.bannedTokens(row)) if (t < vocabSize) scores[r * vocabSize + t] = -Infinity;
    });
  } else if (p instanceof NoBadWordsLogitsProcessor) {
    // transformers adds the bias (-inf) rather than overwriting.
    inputIds.forEach((row, r) => {
      for (const t of p.bannedTokens(row)) scores[r * vocabSize + t] = scores[r * vocabSize + t]! + -Infinity;
    });
  } else if (p instanceof PrefixConstrainedLogitsProcessor) {
    for (let r = 0; r < rows; r++) {
      const mask = new Float32Array(vocabSize).fill(-Infinity);
      for (const t of p.allowedTokens(inputIds, r, vocabSize)) mask[t] = 0;
      for (let t = 0; t < vocabSize; t++) scores[r * vocabSize + t] = scores[r * vocabSize + t]! + mask[t]!;
    }
  } else if (p instanceof ForcedBOSTokenLogitsProcessor) {
    if (curLen === 1) {
      for (let r = 0; r < rows; r++) {
        fill(r, -Infinity);
        scores[r * vocabSize + p.bosTokenId] = 0;
      }
    }
  } else if (p instanceof ForcedEOSTokenLogitsProcessor) {
    if (curLen === p.maxLength - 1) {
      for (let r = 0; r < rows; r++) {
        fill(r, -Infinity);
        for (const eos of p.eosTokenIds) scores[r * vocabSize + eos] = 0;
      }
    }
  } else {
    throw new Error(`denseApply: no dense form for ${p.constructor.name}`);
  }
}

/**
 * Per batch item, the `k` best of `logProbs[row, t] + runningBeamScores[row]` over its numBeams
 * rows (float32 sums), best first; exact ties go to the lower flat index `beam·V + t`.
 */
export function selectBeamCandidates(
  logProbs: Float32Array,
  runningBeamScores: Float32Array,
  numBeams: number,
  vocabSize: number,
  k: number,
): BeamCandidates {
  const rows = runningBeamScores.length;
  if (logProbs.length !== rows * vocabSize || rows % numBeams !== 0) {
    throw new ShapeError(`selectBeamCandidates: ${logProbs.length} scores do not fit ${rows} rows × ${vocabSize} in groups of ${numBeams}`);
  }
  if (k > numBeams * vocabSize) throw new ShapeError(`selectBeamCandidates: k (${k}) exceeds numBeams·V (${numBeams * vocabSize})`);
  const batchSize = rows / numBeams;
  const scores = new Float32Array(batchSize * k);
  const tokens = new Int32Array(batchSize * k);
  const beamIndices = new Int32Array(batchSize * k);
  for (let b = 0; b < batchSize; b++) {
    // A sorted window of the k best so far; V is large and k small, so insertion is cheap.
    const bestValues: number[] = [];
    const bestFlat: number[] = [];
    for (let flat = 0; flat < numBeams * vocabSize; flat++) {
      const row = b * numBeams + Math.floor(flat / vocabSize);
      const v = f32((logProbs[row * vocabSize + (flat % vocabSize)] as number) + (runningBeamScores[row] as number));
      if (bestValues.length === k && !(v > (bestValues[k - 1] as number))) continue;
      let at = bestValues.length;
      while (at > 0 && v > (bestValues[at - 1] as number)) at--;
      bestValues.splice(at, 0, v);
      bestFlat.splice(at, 0, flat);
      if (bestValues.length > k) {
        bestValues.pop();
        bestFlat.pop();
      }
    }
    for (let i = 0; i < k; i++) {
      scores[b * k + i] = bestValues[i] as number;
      tokens[b * k + i] = (bestFlat[i] as number) % vocabSize;
      beamIndices[b * k + i] = Math.floor((bestFlat[i] as number) / vocabSize);
    }
  }
  return { scores, tokens, beamIndices };
}

/** Returns `log_softmax` of the last-position logits: `inputIds.length × vocabSize`. */
export type LogProbsFn = (inputIds: number[][], beamIdx: Int32Array | null) => Promise<Float32Array>;

/** A beam step from dense log-prob rows: processors on the CPU, then `selectBeamCandidates`. */
export function denseBeamStep(logProbs: LogProbsFn, processors: LogitsProcessor, vocabSize: number, numBeams: number): BeamStepFn {
  return async (request) => {
    const scores = await logProbs(request.inputIds, request.beamIdx);
    denseApply(processors, request.inputIds, scores, vocabSize);
    return selectBeamCandidates(scores, request.runningBeamScores, numBeams, vocabSize, request.beamsToKeep);
  };
}

/** Returns last-position scores (logits or log-probs): `inputIds.length × vocabSize`. */
export type ScoresFn = (inputIds: number[][]) => Promise<Float32Array>;

/** A greedy step from dense score rows: processors on the CPU, then `argmaxRows`. */
export function denseGreedyStep(scoresFn: ScoresFn, processors: LogitsProcessor, vocabSize: number): GreedyStepFn {
  return async (inputIds) => {
    const scores = await scoresFn(inputIds);
    denseApply(processors, inputIds, scores, vocabSize);
    return argmaxRows(scores, vocabSize);
  };
}
