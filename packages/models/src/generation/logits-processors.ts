import { RagConfigError, ShapeError, type RowEdit } from '@rag-web/core';
import { GenerationError } from './errors.js';
import { everyRow, sortedIds } from './logits-edits.js';

/**
 * Logits processors after transformers' `generation/logits_process.py` (5.x): the ones that RAG
 * generation builds from a GenerationConfig. Each validates in its constructor and describes what
 * the torch version does to the scores as core's `RowEdit`s (generation/logits-edits.ts).
 *
 * Shapes: `inputIds` has one row per score row (batch·numBeams rows in beam search), all of the
 * current length `curLen` (decoder start token included); `edits` returns one entry per row.
 */
export type InputIds = readonly (readonly number[])[];

export interface LogitsProcessor {
  /** Per score row, what this step's processor does to it (`undefined`: nothing; `[]`: no row changes). */
  edits(inputIds: InputIds, vocabSize: number): Array<RowEdit | undefined>;
}

/** Throws unless `scores` holds one row of `vocabSize` per input row and all rows are one length. */
export function checkProcessorInputs(who: string, inputIds: InputIds, scores: Float32Array | null, vocabSize: number): number {
  if (!Number.isInteger(vocabSize) || vocabSize <= 0) throw new ShapeError(`${who}: vocabSize must be a positive integer, got ${vocabSize}`);
  if (scores !== null && scores.length !== inputIds.length * vocabSize) {
    throw new ShapeError(`${who}: scores has ${scores.length} values, expected ${inputIds.length} rows × ${vocabSize}`, {
      rows: inputIds.length,
      vocabSize,
      length: scores.length,
    });
  }
  const curLen = inputIds[0]?.length ?? 0;
  if (inputIds.some((row) => row.length !== curLen)) throw new ShapeError(`${who}: input rows differ in length`);
  return curLen;
}

function tokenIdList(who: string, what: string, ids: number | readonly number[]): number[] {
  const list = typeof ids === 'number' ? [ids] : [...ids];
  if (list.length === 0 || list.some((id) => !Number.isInteger(id) || id < 0)) {
    throw new RagConfigError(`${who}: ${what} must be a non-negative integer or a non-empty list of them, got ${JSON.stringify(ids)}`);
  }
  return list;
}

/** `MinLengthLogitsProcessor`: EOS is -inf while `curLen < minLength` (the prompt counts). */
export class MinLengthLogitsProcessor implements LogitsProcessor {
  readonly minLength: number;
  readonly eosTokenIds: readonly number[];

  constructor(minLength: number, eosTokenId: number | readonly number[]) {
    if (!Number.isInteger(minLength) || minLength < 0) {
      throw new RagConfigError(`MinLengthLogitsProcessor: min_length must be a non-negative integer, got ${minLength}`);
    }
    this.minLength = minLength;
    this.eosTokenIds = tokenIdList('MinLengthLogitsProcessor', 'eos_token_id', eosTokenId);
  }

  edits(inputIds: InputIds, vocabSize: number): Array<RowEdit | undefined> {
    if (checkProcessorInputs('MinLengthLogitsProcessor', inputIds, null, vocabSize) >= this.minLength) return [];
    const ids = this.eosTokenIds.filter((eos) => eos < vocabSize);
    return everyRow(inputIds.length, { ban: ids });
  }
}

/**
 * `NoRepeatNGramLogitsProcessor`: a token is banned when it would complete an n-gram that already
 * occurs in the row (prompt included). Rows shorter than n are left alone.
 */
export class NoRepeatNGramLogitsProcessor implements LogitsProcessor {
  readonly ngramSize: number;

  constructor(ngramSize: number) {
    if (!Number.isInteger(ngramSize) || ngramSize <= 0) {
      throw new RagConfigError(`NoRepeatNGramLogitsProcessor: ngram_size must be a positive integer, got ${ngramSize}`);
    }
    this.ngramSize = ngramSize;
  }

  /** Tokens that end an earlier n-gram whose first n-1 tokens equal the row's last n-1 tokens. */
  bannedTokens(row: readonly number[]): number[] {
    const n = this.ngramSize;
    const curLen = row.length;
    if (curLen < n) return [];
    const prefixStart = curLen + 1 - n;
    const banned = new Set<number>();
    // Window i covers row[i .. i+n-1]; the last full window ends at curLen-1, so the prefix itself
    // (which needs one more token) never bans its own successor.
    for (let i = 0; i + n <= curLen; i++) {
      let match = true;
      for (let j = 0; j < n - 1 && match; j++) match = row[i + j] === row[prefixStart + j];
      if (match) banned.add(row[i + n - 1] as number);
    }
    return [...banned];
  }

  edits(inputIds: InputIds, vocabSize: number): Array<RowEdit | undefined> {
    checkProcessorInputs('NoRepeatNGramLogitsProcessor', inputIds, null, vocabSize);
    return inputIds.map((row) => {
      const banned = this.bannedTokens(row).filter((t) => t < vocabSize);
      return banned.length > 0 ? { ban: sortedIds(banned) } : undefined;
    });
  }
}

/**
 * `NoBadWordsLogitsProcessor` (a SequenceBias of -inf): a one-token bad word is always banned; a
 * longer one bans its last token when the row ends with the rest of it. As in transformers, a bad
 * word longer than the current row is skipped, and `[eos]` alone is dropped from the list.
 */
export class NoBadWordsLogitsProcessor implements LogitsProcessor {
  readonly badWordsIds: readonly (readonly number[])[];

  constructor(badWordsIds: readonly (readonly number[])[], eosTokenId: number | readonly number[] | null = null) {
    const valid =
      Array.isArray(badWordsIds) &&
      badWordsIds.length > 0 &&
      badWordsIds.every((seq) => Array.isArray(seq) && seq.length > 0 && seq.every((id) => Number.isInteger(id) && id >= 0));
    if (!valid) {
      // Stricter than transformers on one point: an empty inner list is refused here rather than
      // failing with an IndexError at the first step.
      throw new RagConfigError(
        `NoBadWordsLogitsProcessor: bad_words_ids must be a non-empty list of non-empty token-id lists, got ${JSON.stringify(badWordsIds)}`,
      );
    }
    const eos = eosTokenId === null ? [] : tokenIdList('NoBadWordsLogitsProcessor', 'eos_token_id', eosTokenId);
    const unique = new Map<string, readonly number[]>();
    for (const seq of badWordsIds) {
      if (seq.length === 1 && eos.includes(seq[0] as number)) continue;
      unique.set(seq.join(','), [...seq]);
    }
    this.badWordsIds = [...unique.values()];
  }

  bannedTokens(row: readonly number[]): number[] {
    const banned = new Set<number>();
    for (const seq of this.badWordsIds) {
      if (seq.length > row.length) continue;
      const prefixLen = seq.length - 1;
      let match = true;
      for (let j = 0; j < prefixLen && match; j++) match = row[row.length - prefixLen + j] === seq[j];
      if (match) banned.add(seq[prefixLen] as number);
    }
    return [...banned];
  }

  private checkVocab(vocabSize: number): void {
    const outside = this.badWordsIds.flat().filter((id) => id >= vocabSize);
    if (outside.length > 0) {
      throw new RagConfigError(`NoBadWordsLogitsProcessor: the vocabulary has ${vocabSize} tokens, but bad_words_ids names ${outside.join(', ')}`);
    }
  }

  edits(inputIds: InputIds, vocabSize: number): Array<RowEdit | undefined> {
    checkProcessorInputs('NoBadWordsLogitsProcessor', inputIds, null, vocabSize);
    this.checkVocab(vocabSize);
    return inputIds.map((row) => {
      const banned = this.bannedTokens(row);
      return banned.length > 0 ? { ban: sortedIds(banned) } : undefined;
    });
  }
}

/** Returns the token ids allowed next for batch item `batchId`, given that row's tokens so far. */
export type PrefixAllowedTokensFn = (batchId: number, inputIds: readonly number[]) => readonly number[];

/**
 * `PrefixConstrainedLogitsProcessor`: only the tokens `prefixAllowedTokensFn(batchId, row)` returns
 * keep their score. Row r belongs to batch item `floor(r / numBeams)`.
 */
export class PrefixConstrainedLogitsProcessor implements LogitsProcessor {
  readonly numBeams: number;
  private readonly prefixAllowedTokensFn: PrefixAllowedTokensFn;

  constructor(prefixAllowedTokensFn: PrefixAllowedTokensFn, numBeams: number) {
    if (typeof prefixAllowedTokensFn !== 'function') {
      throw new RagConfigError('PrefixConstrainedLogitsProcessor: prefix_allowed_tokens_fn must be a function (batchId, inputIds) => number[]');
    }
    if (!Number.isInteger(numBeams) || numBeams <= 0) {
      throw new RagConfigError(`PrefixConstrainedLogitsProcessor: num_beams must be a positive integer, got ${numBeams}`);
    }
    this.prefixAllowedTokensFn = prefixAllowedTokensFn;
    this.numBeams = numBeams;
  }

  allowedTokens(inputIds: InputIds, row: number, vocabSize: number): number[] {
    const batchId = Math.floor(row / this.numBeams);
    const allowed = this.prefixAllowedTokensFn(batchId, inputIds[row] as readonly number[]);
    if (allowed.length === 0) {
      throw new GenerationError(
        `PrefixConstrainedLogitsProcessor: prefix_allowed_tokens_fn returned no token for batch ${batchId}; the constraint is unsatisfiable`,
        { batchId, row },
      );
    }
    const bad = allowed.filter((t) => !Number.isInteger(t) || t < 0 || t >= vocabSize);
    if (bad.length > 0) {
      throw new GenerationError(`PrefixConstrainedLogitsProcessor: allowed token ids ${bad.join(', ')} are outside the vocabulary (${vocabSize})`);
    }
    return [...allowed];
  }

  private checkRows(inputIds: InputIds): void {
    // transformers would leave the remainder rows all -inf; that is always a caller's mistake.
    if (inputIds.length % this.numBeams !== 0) {
      throw new ShapeError(`PrefixConstrainedLogitsProcessor: ${inputIds.length} rows are not a multiple of num_beams (${this.numBeams})`);
    }
  }

  edits(inputIds: InputIds, vocabSize: number): Array<RowEdit | undefined> {
    checkProcessorInputs('PrefixConstrainedLogitsProcessor', inputIds, null, vocabSize);
    this.checkRows(inputIds);
    return inputIds.map((_, r) => ({ allow: sortedIds(this.allowedTokens(inputIds, r, vocabSize)) }));
  }
}

/** `ForcedBOSTokenLogitsProcessor`: at `curLen == 1` the row becomes 0 at `bosTokenId`, -inf elsewhere. */
export class ForcedBOSTokenLogitsProcessor implements LogitsProcessor {
  readonly bosTokenId: number;

  constructor(bosTokenId: number) {
    if (!Number.isInteger(bosTokenId) || bosTokenId < 0) {
      throw new RagConfigError(`ForcedBOSTokenLogitsProcessor: forced_bos_token_id must be a non-negative integer, got ${bosTokenId}`);
    }
    this.bosTokenId = bosTokenId;
  }

  private active(inputIds: InputIds, vocabSize: number): boolean {
    if (checkProcessorInputs('ForcedBOSTokenLogitsProcessor', inputIds, null, vocabSize) !== 1) return false;
    if (this.bosTokenId >= vocabSize) {
      throw new RagConfigError(`ForcedBOSTokenLogitsProcessor: forced_bos_token_id ${this.bosTokenId} is outside the vocabulary (${vocabSize})`);
    }
    return true;
  }

  edits(inputIds: InputIds, vocabSize: number): Array<RowEdit | undefined> {
    if (!this.active(inputIds, vocabSize)) return [];
    return everyRow(inputIds.length, { force: [this.bosTokenId] });
  }
}

/**
 * `ForcedEOSTokenLogitsProcessor`: at `curLen == maxLength - 1` (the step that writes the last
 * token) the row becomes 0 at every EOS id, -inf elsewhere.
 */
export class ForcedEOSTokenLogitsProcessor implements LogitsProcessor {
  readonly maxLength: number;
  readonly eosTokenIds: readonly number[];

  constructor(maxLength: number, eosTokenId: number | readonly number[]) {
    if (!Number.isInteger(maxLength) || maxLength <= 0) {
      throw new RagConfigError(`ForcedEOSTokenLogitsProcessor: max_length must be a positive integer, got ${maxLength}`);
    }
    this.maxLength = maxLength;
    this.eosTokenIds = tokenIdList('ForcedEOSTokenLogitsProcessor', 'eos_token_id', eosTokenId);
  }

  private active(inputIds: InputIds, vocabSize: number): boolean {
    if (checkProcessorInputs('ForcedEOSTokenLogitsProcessor', inputIds, null, vocabSize) !== this.maxLength - 1) return false;
    const outside = this.eosTokenIds.filter((eos) => eos >= vocabSize);
    if (outside.length > 0) {
      throw new RagConfigError(`ForcedEOSTokenLogitsProcessor: eos ids ${outside.join(', ')} are outside the vocabulary (${vocabSize})`);
    }
    return true;
  }

  edits(inputIds: InputIds, vocabSize: number): Array<RowEdit | undefined> {
    if (!this.active(inputIds, vocabSize)) return [];
    return everyRow(inputIds.length, { force: this.eosTokenIds });
  }
}
