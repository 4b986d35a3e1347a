import { RagConfigError, ShapeError } from '@rag-web/core';
import { BeamHypotheses, type EarlyStopping } from './beam-hypotheses.js';
import { GenerationError } from './errors.js';
import { f32, LARGE_NEGATIVE, stableTopK } from './float32-topk.js';

/**
 * Beam search bookkeeping with the semantics of transformers 5.x `GenerationMixin._beam_search`
 * (the vectorized one that replaced `BeamSearchScorer` in 4.50), shaped like the old scorer: the
 * caller owns the model and the top-k, this class owns everything else.
 *
 * One step, for the caller (the decode loop):
 * 1. run the model on `runningSequences()` (batch·numBeams rows; reorder the KV cache first with
 *    the previous step's `nextBeamIndices`), take `log_softmax` of the last logits;
 * 2. apply the logits processors to those rows;
 * 3. add `runningBeamScores[row]` to every value of its row (float32);
 * 4. per batch item, take the top `beamsToKeep` over its numBeams·V values, best first, and pass
 *    them to `process` as (score, token = index % V, beam = floor(index / V));
 * 5. stop when `isDone`, then call `finalize`.
 */
export interface BeamSearchScorerOptions {
  numBeams: number;
  maxLength: number;
  lengthPenalty?: number;
  earlyStopping?: EarlyStopping;
  numReturnSequences?: number;
  eosTokenId?: number | readonly number[] | null;
  padTokenId?: number | null;
}

/** The step's top-k continuations: `batchSize × beamsToKeep` entries, best first per batch item. */
export interface BeamCandidates {
  /** Processed log-prob plus the running beam score, float32. */
  scores: ArrayLike<number>;
  tokens: ArrayLike<number>;
  /** Beam within the batch item, `0 … numBeams-1` (`topk_index // vocab_size`). */
  beamIndices: ArrayLike<number>;
}

export interface BeamStepOutput {
  /** `batchSize·numBeams` running scores for the next step (equal to `runningBeamScores`). */
  nextBeamScores: Float32Array;
  /** The token each running beam just appended: the decoder input of the next step. */
  nextBeamTokens: Int32Array;
  /** Flat row (`batch·numBeams + beam`) of the previous step each beam extends: reorder the cache with it. */
  nextBeamIndices: Int32Array;
}

export interface BeamSearchOutput {
  /** `batchSize·numReturnSequences` rows, best first per batch item, padded to one length. */
  sequences: number[][];
  /** The length-penalised score of each row (transformers' `sequences_scores`), float32. */
  sequenceScores: Float32Array;
  /** Per row, the flat beam row each generated token came from; -1 past its end. */
  beamIndices: number[][];
}

interface RunningBeam {
  tokens: number[];
  beamIndices: number[];
  score: number;
}

export class BeamSearchScorer {
  readonly batchSize: number;
  readonly numBeams: number;
  readonly maxLength: number;
  readonly numReturnSequences: number;
  readonly earlyStopping: EarlyStopping;
  readonly decoderPromptLen: number;
  readonly eosTokenIds: readonly number[];
  /**
   * Candidates per batch item and step: `max(2, 1 + #eos) · numBeams`, so that at least numBeams
   * of them are not EOS and the search can always go on.
   */
  readonly beamsToKeep: number;
  /** What pads finished rows: transformers' `pad_token_id or eos_token_id[0] if eos else -1`. */
  readonly padValue: number;
  private readonly hyps: BeamHypotheses[];
  private running: RunningBeam[][];
  private length: number;
  private done = false;

  /** `prompts`: one row per batch item (the decoder start, e.g. `[decoderStartTokenId]`). */
  constructor(prompts: readonly (readonly number[])[], options: BeamSearchScorerOptions) {
    const { numBeams, maxLength, lengthPenalty = 1, earlyStopping = false, numReturnSequences = 1 } = options;
    if (prompts.length === 0) throw new RagConfigError('BeamSearchScorer: needs at least one prompt row');
    const promptLen = (prompts[0] as readonly number[]).length;
    if (promptLen === 0 || prompts.some((p) => p.length !== promptLen)) {
      throw new ShapeError('BeamSearchScorer: prompt rows must be non-empty and of one length');
    }
    if (!Number.isInteger(maxLength) || maxLength <= promptLen) {
      throw new RagConfigError(`BeamSearchScorer: max_length (${maxLength}) must be an integer above the prompt length (${promptLen})`);
    }
    if (!Number.isInteger(numReturnSequences) || numReturnSequences < 1 || numReturnSequences > numBeams) {
      throw new RagConfigError(`BeamSearchScorer: num_return_sequences (${numReturnSequences}) must be between 1 and num_beams (${numBeams})`);
    }
    const eos = options.eosTokenId ?? null;
    this.eosTokenIds = eos === null ? [] : typeof eos === 'number' ? [eos] : [...eos];
    if (this.eosTokenIds.some((id) => !Number.isInteger(id) || id < 0)) {
      throw new RagConfigError(`BeamSearchScorer: eos_token_id must be non-negative integers, got ${JSON.stringify(eos)}`);
    }
    const pad = options.padTokenId ?? null;
    // Python's `pad or eos[0]`: a pad id of 0 is falsy and falls through to EOS.
    this.padValue = this.eosTokenIds.length === 0 ? -1 : pad !== null && pad !== 0 ? pad : (this.eosTokenIds[0] as number);
    this.batchSize = prompts.length;
    this.numBeams = numBeams;
    this.maxLength = maxLength;
    this.numReturnSequences = numReturnSequences;
    this.earlyStopping = earlyStopping;
    this.decoderPromptLen = promptLen;
    this.length = promptLen;
    this.beamsToKeep = Math.max(2, 1 + this.eosTokenIds.length) * numBeams;
    const hypOptions = { numBeams, lengthPenalty, earlyStopping, maxLength, decoderPromptLen: promptLen };
    this.hyps = prompts.map((p) => new BeamHypotheses(p, hypOptions));
    // Only beam 0 starts live; the others start at -1e9 so the first step does not pick the same
    // token numBeams times.
    this.running = prompts.map((p) =>
      Array.from({ length: numBeams }, (_, i) => ({ tokens: [...p], beamIndices: [], score: i === 0 ? 0 : LARGE_NEGATIVE })),
    );
  }

  /** Current length of every running sequence (prompt included). */
  get curLen(): number {
    return this.length;
  }

  /** The search is over (transformers' `not _beam_search_has_unfinished_sequences`). */
  get isDone(): boolean {
    return this.done;
  }

  get hypotheses(): readonly BeamHypotheses[] {
    return this.hyps;
  }

  /** The running sequences, `batchSize·numBeams` rows of `curLen` tokens: the model and processor input. */
  runningSequences(): number[][] {
    return this.running.flatMap((beams) => beams.map((b) => [...b.tokens]));
  }

  /**
   * Each batch item's best hypothesis so far, for streaming: its best finished one where that
   * outranks the best live beam at the live beam's length-penalised score, else that live beam.
   * What `finalize` returns can still differ: live beams keep growing.
   */
  bestSequences(): number[][] {
    return this.running.map((beams, b) => {
      const live = beams[0] as RunningBeam;
      const hyps = this.hyps[b] as BeamHypotheses;
      const finished = hyps.hypotheses[0];
      const generated = this.length - this.decoderPromptLen;
      const liveScore = generated > 0 ? hyps.penalizedScore(live.score, generated) : live.score;
      return [...(finished?.finished && finished.score >= liveScore ? finished.tokens : live.tokens)];
    });
  }

  /** `batchSize·numBeams` accumulated scores, to be added to each row before the top-k. */
  get runningBeamScores(): Float32Array {
    return Float32Array.from(this.running.flatMap((beams) => beams.map((b) => b.score)));
  }

  /**
   * One step (`_get_top_k_continuations` → `_get_running_beams_for_next_iteration` →
   * `_update_finished_beams` → `_check_early_stop_heuristic`). A candidate that ends in EOS or
   * reaches `maxLength` is finished: it may enter the finished set only if it ranks among the top
   * numBeams, and it can stay live only masked by -1e9 when fewer than numBeams others are left.
   */
  process(candidates: BeamCandidates): BeamStepOutput {
    if (this.done) throw new GenerationError('BeamSearchScorer.process: the search is already done; call finalize()');
    this.checkCandidates(candidates);
    const { numBeams: nb, beamsToKeep: k } = this;
    const curLen = this.length;
    const reachesMax = curLen + 1 >= this.maxLength;
    let allHitStop = true;
    this.running = this.running.map((beams, b) => {
      const cands = Array.from({ length: k }, (_, i) => {
        const at = b * k + i;
        const beam = beams[candidates.beamIndices[at] as number] as RunningBeam;
        const token = candidates.tokens[at] as number;
        return {
          tokens: [...beam.tokens, token],
          beamIndices: [...beam.beamIndices, b * nb + (candidates.beamIndices[at] as number)],
          logProb: f32(candidates.scores[at] as number),
          hits: reachesMax || this.eosTokenIds.includes(token),
        };
      });
      allHitStop &&= cands.every((c) => c.hits);
      const live = cands.map((c) => (c.hits ? f32(c.logProb + LARGE_NEGATIVE) : c.logProb));
      const next = stableTopK(live, nb).map((i) => {
        const c = cands[i] as (typeof cands)[number];
        return { tokens: c.tokens, beamIndices: c.beamIndices, score: live[i] as number };
      });
      (this.hyps[b] as BeamHypotheses).add(
        cands.map((c, rank) => ({ ...c, eligible: c.hits && rank < nb })),
        curLen,
      );
      return next;
    });
    this.length = curLen + 1;
    this.hyps.forEach((h, b) => h.updateEarlyStop((this.running[b] as RunningBeam[])[0]?.score as number, this.length));
    const improvementPossible = this.hyps.some((h) => h.improvementPossible);
    const allFullAndStopping = this.earlyStopping === true && this.hyps.every((h) => h.isFull);
    this.done = !(improvementPossible && !allFullAndStopping && !allHitStop);

    const flat = this.running.flat();
    return {
      nextBeamScores: Float32Array.from(flat, (r) => r.score),
      nextBeamTokens: Int32Array.from(flat, (r) => r.tokens[r.tokens.length - 1] as number),
      nextBeamIndices: Int32Array.from(flat, (r) => r.beamIndices[r.beamIndices.length - 1] as number),
    };
  }

  /**
   * The best `numReturnSequences` finished hypotheses per batch item, cut to the longest of all
   * returned rows and padded with `padValue` (transformers crops by the longest `beam_indices`).
   * A batch item with fewer finished hypotheses returns what fills its other slots, as
   * transformers does: the prompt (or a masked beam) with score -1e9 and `finished` false.
   */
  finalize(): BeamSearchOutput {
    const chosen = this.hyps.flatMap((h) => h.hypotheses.slice(0, this.numReturnSequences));
    const outLen = Math.max(...chosen.map((h) => h.tokens.length));
    return {
      sequences: chosen.map((h) => [...h.tokens, ...new Array<number>(outLen - h.tokens.length).fill(this.padValue)]),
      sequenceScores: Float32Array.from(chosen, (h) => h.score),
      beamIndices: chosen.map((h) => [...h.beamIndices, ...new Array<number>(outLen - this.decoderPromptLen - h.beamIndices.length).fill(-1)]),
    };
  }

  private checkCandidates(c: BeamCandidates): void {
    const expected = this.batchSize * this.beamsToKeep;
    for (const [name, arr] of [
      ['scores', c.scores],
      ['tokens', c.tokens],
      ['beamIndices', c.beamIndices],
    ] as const) {
      if (arr.length !== expected) {
        throw new ShapeError(`BeamSearchScorer.process: ${name} has ${arr.length} entries, expected ${this.batchSize} × ${this.beamsToKeep}`);
      }
    }
    for (let i = 0; i < expected; i++) {
      const beam = c.beamIndices[i] as number;
      const token = c.tokens[i] as number;
      const score = c.scores[i] as number;
      if (!Number.isInteger(beam) || beam < 0 || beam >= this.numBeams) throw new GenerationError(`BeamSearchScorer.process: beam index ${beam} at ${i} is not in [0, ${this.numBeams})`);
      if (!Number.isInteger(token) || token < 0) throw new GenerationError(`BeamSearchScorer.process: token ${token} at ${i} is not a token id`);
      if (Number.isNaN(score)) throw new GenerationError(`BeamSearchScorer.process: score at ${i} is NaN`);
      // Rank decides eligibility (top numBeams), so the candidates must come best first.
      if (i % this.beamsToKeep !== 0 && score > (c.scores[i - 1] as number)) {
        throw new GenerationError(`BeamSearchScorer.process: candidates of batch item ${Math.floor(i / this.beamsToKeep)} are not sorted best first`);
      }
    }
  }
}
