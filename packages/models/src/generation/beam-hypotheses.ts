import { RagConfigError } from '@rag-web/core';
import { f32, LARGE_NEGATIVE, stableTopK } from './float32-topk.js';

/**
 * The finished hypotheses of one batch item, after transformers 5.x `_beam_search`
 * (`_update_finished_beams`, `_check_early_stop_heuristic`): `numBeams` slots kept best first.
 * A slot starts as a placeholder (the prompt, score -1e9, not finished) and is replaced when a
 * better finished candidate arrives. Scores are float32, as in torch.
 */
export interface BeamHypothesis {
  /** Prompt plus generated tokens; a finished hypothesis ends in EOS or at max length. */
  tokens: readonly number[];
  /** Sum of log-probs divided by `generatedLength ** lengthPenalty` (float32). */
  score: number;
  /** Flat beam row (`batch·numBeams + beam`) each generated token came from (`beam_indices`). */
  beamIndices: readonly number[];
  finished: boolean;
}

/** One of the step's top-k continuations, as the finished set sees it. */
export interface FinishedCandidate {
  tokens: readonly number[];
  beamIndices: readonly number[];
  /** Accumulated float32 log-prob of the continuation (before any length penalty). */
  logProb: number;
  /** It hit a stopping criterion (EOS or max length) AND ranks among the top `numBeams`. */
  eligible: boolean;
}

export type EarlyStopping = boolean | 'never';

export interface BeamHypothesesOptions {
  numBeams: number;
  lengthPenalty: number;
  earlyStopping: EarlyStopping;
  maxLength: number;
  decoderPromptLen: number;
}

export class BeamHypotheses {
  readonly numBeams: number;
  readonly lengthPenalty: number;
  readonly earlyStopping: EarlyStopping;
  readonly maxLength: number;
  readonly decoderPromptLen: number;
  private slots: BeamHypothesis[];
  /** `is_early_stop_heuristic_unsatisfied`: once false it stays false. */
  private heuristicUnsatisfied = true;

  constructor(prompt: readonly number[], options: BeamHypothesesOptions) {
    const { numBeams, lengthPenalty, earlyStopping, maxLength, decoderPromptLen } = options;
    if (!Number.isInteger(numBeams) || numBeams <= 0) throw new RagConfigError(`BeamHypotheses: num_beams must be a positive integer, got ${numBeams}`);
    if (!Number.isFinite(lengthPenalty)) throw new RagConfigError(`BeamHypotheses: length_penalty must be a finite number, got ${lengthPenalty}`);
    if (earlyStopping !== true && earlyStopping !== false && earlyStopping !== 'never') {
      throw new RagConfigError(`BeamHypotheses: early_stopping must be true, false or "never", got ${JSON.stringify(earlyStopping)}`);
    }
    if (prompt.length !== decoderPromptLen) throw new RagConfigError(`BeamHypotheses: prompt has ${prompt.length} tokens, decoderPromptLen is ${decoderPromptLen}`);
    this.numBeams = numBeams;
    this.lengthPenalty = lengthPenalty;
    this.earlyStopping = earlyStopping;
    this.maxLength = maxLength;
    this.decoderPromptLen = decoderPromptLen;
    const placeholder: BeamHypothesis = { tokens: [...prompt], score: LARGE_NEGATIVE, beamIndices: [], finished: false };
    this.slots = Array.from({ length: numBeams }, () => placeholder);
  }

  /** The slots, best first; placeholders (not `finished`) may remain at the end. */
  get hypotheses(): readonly BeamHypothesis[] {
    return this.slots;
  }

  /** Every slot holds a finished hypothesis (`all(is_sent_finished)` for this batch item). */
  get isFull(): boolean {
    return this.slots.every((s) => s.finished);
  }

  /** The length-penalised score transformers gives a sequence of `generatedLength` new tokens. */
  penalizedScore(logProb: number, generatedLength: number): number {
    return f32(logProb / f32(generatedLength ** this.lengthPenalty));
  }

  /**
   * `_update_finished_beams` for this batch item: `candidates` are the step's top-k continuations
   * in rank order and `curLen` the length before this step's token. Each candidate's score is
   * length-penalised and pushed down by -1e9 (in float32, one addition per reason, in
   * transformers' order) when the slots are full under `earlyStopping === true`, when the early
   * stop heuristic has fired, or when the candidate is not eligible. Then the best `numBeams` of
   * old slots and candidates are kept; old slots win exact ties.
   */
  add(candidates: readonly FinishedCandidate[], curLen: number): void {
    const full = this.isFull && this.earlyStopping === true;
    const scores = candidates.map((c) => {
      let s = this.penalizedScore(c.logProb, curLen + 1 - this.decoderPromptLen);
      if (full) s = f32(s + LARGE_NEGATIVE);
      if (!this.heuristicUnsatisfied) s = f32(s + LARGE_NEGATIVE);
      if (!c.eligible) s = f32(s + LARGE_NEGATIVE);
      return s;
    });
    const merged: BeamHypothesis[] = [
      ...this.slots,
      ...candidates.map((c, i) => ({ tokens: c.tokens, beamIndices: c.beamIndices, score: scores[i] as number, finished: c.eligible })),
    ];
    this.slots = stableTopK(
      merged.map((h) => h.score),
      this.numBeams,
    ).map((i) => merged[i] as BeamHypothesis);
  }

  /**
   * `_check_early_stop_heuristic`, called after the step with `curLen` already counting the new
   * token and `bestRunningScore` the best live beam's accumulated log-prob. It fires (for good)
   * when every slot is finished and even the best live beam, at its most favourable length, cannot
   * beat the worst of them. That length is the current one, except under `earlyStopping ===
   * 'never'` with a positive length penalty, where it is `maxLength` (longer can only help).
   */
  updateEarlyStop(bestRunningScore: number, curLen: number): void {
    const hypotheticalLength =
      this.earlyStopping === 'never' && this.lengthPenalty > 0 ? this.maxLength - this.decoderPromptLen : curLen - this.decoderPromptLen;
    const bestPossible = this.penalizedScore(bestRunningScore, hypotheticalLength);
    const worstFinished = Math.min(...this.slots.map((s) => s.score));
    // Unfinished slots compare against -1e9, so the heuristic cannot fire before the set is full.
    const improvable = this.slots.some((s) => bestPossible > (s.finished ? worstFinished : LARGE_NEGATIVE));
    this.heuristicUnsatisfied = this.heuristicUnsatisfied && improvable;
  }

  /** Whether the early-stop heuristic still allows a better finished hypothesis. */
  get improvementPossible(): boolean {
    return this.heuristicUnsatisfied;
  }

  /**
   * Nothing more can change this batch item's result: the heuristic has fired, or (with
   * `earlyStopping === true`) every slot is finished.
   */
  get isDone(): boolean {
    return !this.heuristicUnsatisfied || (this.earlyStopping === true && this.isFull);
  }
}
