import { ShapeError } from '@rag-web/core';
import { BeamSearchScorer, type BeamCandidates, type BeamSearchOutput, type BeamSearchScorerOptions } from './beam-search-scorer.js';
import { f32 } from './float32-topk.js';
import { argmaxRows, GreedySearch, type GreedySearchOptions } from './greedy-search.js';
import type { LogitsProcessor } from './logits-processors.js';

/**
 * Backend-agnostic decode loops. The step functions hide the model and where the scores live:
 * a WebGPU step runs the processors as edits and the top-k on the GPU and returns only the
 * candidates; the dense adapters below do the same on the CPU from full score rows.
 */

export interface BeamStepRequest {
  /** Running sequences, `batchSize·numBeams` rows of `curLen` tokens. */
  inputIds: number[][];
  /**
   * How to reorder the previous step's rows (KV cache, per-row state) before running this step:
   * new row i continues old row `beamIdx[i]`. `null` on the first step.
   */
  beamIdx: Int32Array | null;
  /** Accumulated score of each row: add to that row's processed log-probs before the top-k. */
  runningBeamScores: Float32Array;
  /** Candidates to return per batch item. */
  beamsToKeep: number;
  curLen: number;
}

export type BeamStepFn = (request: BeamStepRequest) => Promise<BeamCandidates>;

export interface SearchControl {
  /** Checked before each step; an aborted signal rejects with its reason. */
  signal?: AbortSignal;
}

/** Runs beam search to the end; see `BeamSearchScorer` for the per-step contract. */
export async function beamSearch(
  step: BeamStepFn,
  prompts: readonly (readonly number[])[],
  options: BeamSearchScorerOptions & SearchControl,
): Promise<BeamSearchOutput> {
  const scorer = new BeamSearchScorer(prompts, options);
  let beamIdx: Int32Array | null = null;
  while (!scorer.isDone) {
    options.signal?.throwIfAborted();
    const candidates = await step({
      inputIds: scorer.runningSequences(),
      beamIdx,
      runningBeamScores: scorer.runningBeamScores,
      beamsToKeep: scorer.beamsToKeep,
      curLen: scorer.curLen,
    });
    beamIdx = scorer.process(candidates).nextBeamIndices;
  }
  return scorer.finalize();
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
    processors.apply(request.inputIds, scores, vocabSize);
    return selectBeamCandidates(scores, request.runningBeamScores, numBeams, vocabSize, request.beamsToKeep);
  };
}

/** Returns the next token of every row (the argmax of its processed scores). */
export type GreedyStepFn = (inputIds: number[][]) => Promise<ArrayLike<number>>;

/** Runs greedy decoding to the end; returns the rows, prompt included, padded after EOS. */
export async function greedySearch(
  step: GreedyStepFn,
  prompts: readonly (readonly number[])[],
  options: GreedySearchOptions & SearchControl,
): Promise<number[][]> {
  const search = new GreedySearch(prompts, options);
  while (!search.isDone) {
    options.signal?.throwIfAborted();
    search.process(await step(search.sequences()));
  }
  return search.sequences();
}

/** Returns last-position scores (logits or log-probs): `inputIds.length × vocabSize`. */
export type ScoresFn = (inputIds: number[][]) => Promise<Float32Array>;

/** A greedy step from dense score rows: processors on the CPU, then `argmaxRows`. */
export function denseGreedyStep(scoresFn: ScoresFn, processors: LogitsProcessor, vocabSize: number): GreedyStepFn {
  return async (inputIds) => {
    const scores = await scoresFn(inputIds);
    processors.apply(inputIds, scores, vocabSize);
    return argmaxRows(scores, vocabSize);
  };
}
