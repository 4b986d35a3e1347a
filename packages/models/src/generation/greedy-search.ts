import { RagConfigError, ShapeError } from '@rag-web/core';
import { GenerationError } from './errors.js';

/**
 * Greedy decoding with the semantics of transformers 5.x `_sample` with `do_sample=False` (what
 * RagTokenForGeneration.generate runs when `num_beams == 1`): each step appends the argmax of the
 * processed scores; a row that has emitted EOS keeps receiving the pad token; the search stops
 * when every row has finished or the rows reach `maxLength`.
 */
export interface GreedySearchOptions {
  maxLength: number;
  eosTokenId?: number | readonly number[] | null;
  /** Defaults to the first EOS id, as `_prepare_special_tokens` does when pad is unset. */
  padTokenId?: number | null;
}

export class GreedySearch {
  readonly maxLength: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number | null;
  private rows: number[][];
  private unfinished: boolean[];

  /** `prompts`: one row per batch item, all of one length (e.g. `[decoderStartTokenId]`). */
  constructor(prompts: readonly (readonly number[])[], options: GreedySearchOptions) {
    const promptLen = prompts[0]?.length ?? 0;
    if (prompts.length === 0 || promptLen === 0 || prompts.some((p) => p.length !== promptLen)) {
      throw new ShapeError('GreedySearch: prompt rows must be non-empty and of one length');
    }
    if (!Number.isInteger(options.maxLength) || options.maxLength <= promptLen) {
      throw new RagConfigError(`GreedySearch: max_length (${options.maxLength}) must be an integer above the prompt length (${promptLen})`);
    }
    const eos = options.eosTokenId ?? null;
    this.eosTokenIds = eos === null ? [] : typeof eos === 'number' ? [eos] : [...eos];
    this.padTokenId = options.padTokenId ?? this.eosTokenIds[0] ?? null;
    this.maxLength = options.maxLength;
    this.rows = prompts.map((p) => [...p]);
    this.unfinished = prompts.map(() => true);
  }

  get curLen(): number {
    return (this.rows[0] as number[]).length;
  }

  get isDone(): boolean {
    return this.unfinished.every((u) => !u) || this.curLen >= this.maxLength;
  }

  /** The rows so far (model and processor input), prompt included. */
  sequences(): number[][] {
    return this.rows.map((r) => [...r]);
  }

  /** Appends one token per row: `nextTokens[r]` (the argmax), or pad for rows already finished. */
  process(nextTokens: ArrayLike<number>): Int32Array {
    if (this.isDone) throw new GenerationError('GreedySearch.process: the search is already done');
    if (nextTokens.length !== this.rows.length) {
      throw new ShapeError(`GreedySearch.process: got ${nextTokens.length} tokens for ${this.rows.length} rows`);
    }
    const appended = new Int32Array(this.rows.length);
    this.rows.forEach((row, r) => {
      let token = nextTokens[r] as number;
      if (!Number.isInteger(token) || token < 0) throw new GenerationError(`GreedySearch.process: token ${token} for row ${r} is not a token id`);
      // Only with an EOS criterion do finished rows get padded (`has_eos_stopping_criteria`).
      if (this.eosTokenIds.length > 0 && !this.unfinished[r]) token = this.padTokenId as number;
      row.push(token);
      appended[r] = token;
      if (this.eosTokenIds.includes(token)) this.unfinished[r] = false;
    });
    return appended;
  }
}

/**
 * `torch.argmax` over each row of `scores` (rows × vocabSize): the first index of the maximum,
 * NaN counting as the maximum.
 */
export function argmaxRows(scores: Float32Array, vocabSize: number): Int32Array {
  if (!Number.isInteger(vocabSize) || vocabSize <= 0 || scores.length % vocabSize !== 0) {
    throw new ShapeError(`argmaxRows: ${scores.length} scores are not whole rows of ${vocabSize}`);
  }
  const rows = scores.length / vocabSize;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = scores[r * vocabSize] as number;
    for (let t = 1; t < vocabSize && !Number.isNaN(bestValue); t++) {
      const v = scores[r * vocabSize + t] as number;
      if (v > bestValue || Number.isNaN(v)) {
        best = t;
        bestValue = v;
      }
    }
    out[r] = best;
  }
  return out;
}
