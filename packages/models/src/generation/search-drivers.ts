import { BeamSearchScorer, type BeamCandidates, type BeamSearchOutput, type BeamSearchScorerOptions } from './beam-search-scorer.js';
import { GreedySearch, type GreedySearchOptions } from './greedy-search.js';

/**
 * Backend-agnostic decode loops. The step functions hide the model and where the scores live:
 * a WebGPU step runs the processors as edits and the top-k on the GPU and returns only the
 * candidates, a WASM step the same math as core's TypeScript references.
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
  /** After every step: each batch item's best hypothesis so far (greedy: its sequence), for streaming. */
  onBestSequences?: (sequences: number[][]) => void;
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
    options.onBestSequences?.(scorer.bestSequences());
  }
  return scorer.finalize();
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
    options.onBestSequences?.(search.sequences());
  }
  return search.sequences();
}
