import { RagConfigError, ShapeError } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { GenerationError } from './errors.js';
import {
  ForcedBOSTokenLogitsProcessor,
  ForcedEOSTokenLogitsProcessor,
  MinLengthLogitsProcessor,
  NoBadWordsLogitsProcessor,
  NoRepeatNGramLogitsProcessor,
  PrefixConstrainedLogitsProcessor,
} from './logits-processors.js';
import { buildLogitsProcessors, type LogitsProcessorList } from './logits-processor-list.js';
import { denseApply } from '../../test/dense-generation.js';

const NEG = -Infinity;
const V = 6;
const row = () => [-1.5, -0.5, -2.5, -1.0, -3.0, -0.25];
const rows = (n: number) => Float32Array.from(Array.from({ length: n }, row).flat());
const arr = (a: Float32Array) => Array.from(a);

describe('MinLengthLogitsProcessor', () => {
  it('bans every EOS id while the row (prompt included) is shorter than min_length', () => {
    const p = new MinLengthLogitsProcessor(3, [2, 5]);
    const short = rows(1);
    denseApply(p, [[2, 4]], short, V);
    expect(arr(short)).toEqual([-1.5, -0.5, NEG, -1.0, -3.0, NEG]);
    const long = rows(1);
    denseApply(p, [[2, 4, 4]], long, V);
    expect(arr(long)).toEqual(row());
  });

  it('ignores EOS ids past the vocabulary, like torch.isin', () => {
    const s = rows(1);
    denseApply(new MinLengthLogitsProcessor(5, [9]), [[2]], s, V);
    expect(arr(s)).toEqual(row());
  });

  it('validates its arguments', () => {
    expect(() => new MinLengthLogitsProcessor(-1, 2)).toThrow(RagConfigError);
    expect(() => new MinLengthLogitsProcessor(1.5, 2)).toThrow(/min_length/);
    expect(() => new MinLengthLogitsProcessor(1, [])).toThrow(/eos_token_id/);
  });
});

describe('NoRepeatNGramLogitsProcessor', () => {
  it('bans the tokens that would repeat a bigram, per row', () => {
    const p = new NoRepeatNGramLogitsProcessor(2);
    const s = rows(2);
    // Row 0 ends in 3, and 3 was followed by 4 and by 5 before: both banned.
    // Row 1 ends in 1, which never appeared before its last position: nothing banned.
    denseApply(p, 
      [
        [2, 3, 4, 3, 5, 3],
        [2, 4, 4, 3, 0, 1],
      ],
      s,
      V,
    );
    expect(arr(s).slice(0, V)).toEqual([-1.5, -0.5, -2.5, -1.0, NEG, NEG]);
    expect(arr(s).slice(V)).toEqual(row());
  });

  it('matches the whole (n-1)-token prefix for trigrams and never bans the prefix\'s own successor', () => {
    const p = new NoRepeatNGramLogitsProcessor(3);
    expect(p.bannedTokens([2, 3, 4, 5, 3, 4]).sort()).toEqual([5]);
    expect(p.bannedTokens([3, 4])).toEqual([]);
    // n = 1 bans every token seen so far, the decoder start included.
    expect(new NoRepeatNGramLogitsProcessor(1).bannedTokens([2, 3, 3]).sort()).toEqual([2, 3]);
  });

  it('validates ngram_size', () => {
    expect(() => new NoRepeatNGramLogitsProcessor(0)).toThrow(RagConfigError);
  });
});

describe('NoBadWordsLogitsProcessor', () => {
  it('always bans one-token bad words and bans the last token of a longer one when the row ends with its prefix', () => {
    const p = new NoBadWordsLogitsProcessor([[1], [3, 4], [4, 3, 5]], 2);
    const s = rows(2);
    denseApply(p, 
      [
        [2, 4, 3],
        [2, 5, 5],
      ],
      s,
      V,
    );
    expect(arr(s).slice(0, V)).toEqual([-1.5, NEG, -2.5, -1.0, NEG, NEG]);
    expect(arr(s).slice(V)).toEqual([-1.5, NEG, -2.5, -1.0, -3.0, -0.25]);
  });

  it('drops [eos] alone from the list and skips bad words longer than the row', () => {
    const p = new NoBadWordsLogitsProcessor([[2], [2, 3], [0, 0, 5]], 2);
    expect(p.badWordsIds).toEqual([
      [2, 3],
      [0, 0, 5],
    ]);
    expect(p.bannedTokens([0, 0])).toEqual([]);
    expect(p.bannedTokens([0, 0, 2])).toEqual([3]);
  });

  it('validates the list and the vocabulary', () => {
    expect(() => new NoBadWordsLogitsProcessor([])).toThrow(RagConfigError);
    expect(() => new NoBadWordsLogitsProcessor([[]])).toThrow(/non-empty/);
    expect(() => new NoBadWordsLogitsProcessor([[1, -2]])).toThrow(RagConfigError);
    expect(() => new NoBadWordsLogitsProcessor([[7]]).edits([[2]], V)).toThrow(/names 7/);
  });
});

describe('PrefixConstrainedLogitsProcessor', () => {
  it('keeps the allowed tokens\' scores and sets the rest to -inf, asking per batch item', () => {
    const calls: Array<[number, number[]]> = [];
    const p = new PrefixConstrainedLogitsProcessor((batchId, ids) => {
      calls.push([batchId, [...ids]]);
      return batchId === 0 ? [1, 3] : [5];
    }, 2);
    const s = rows(4);
    denseApply(p, [[2, 0], [2, 1], [2, 2], [2, 3]], s, V);
    expect(calls).toEqual([
      [0, [2, 0]],
      [0, [2, 1]],
      [1, [2, 2]],
      [1, [2, 3]],
    ]);
    expect(arr(s).slice(0, V)).toEqual([NEG, -0.5, NEG, -1.0, NEG, NEG]);
    expect(arr(s).slice(3 * V)).toEqual([NEG, NEG, NEG, NEG, NEG, -0.25]);
  });

  it('throws a GenerationError when no token is allowed, and checks rows and ids', () => {
    const none = new PrefixConstrainedLogitsProcessor(() => [], 1);
    expect(() => denseApply(none, [[2]], rows(1), V)).toThrow(GenerationError);
    const outside = new PrefixConstrainedLogitsProcessor(() => [6], 1);
    expect(() => denseApply(outside, [[2]], rows(1), V)).toThrow(/outside the vocabulary/);
    const twoBeams = new PrefixConstrainedLogitsProcessor(() => [1], 2);
    expect(() => twoBeams.edits([[2], [2], [2]], V)).toThrow(ShapeError);
    expect(() => new PrefixConstrainedLogitsProcessor(() => [1], 0)).toThrow(RagConfigError);
  });
});

describe('ForcedBOSTokenLogitsProcessor / ForcedEOSTokenLogitsProcessor', () => {
  it('forces BOS (score 0, everything else -inf) only at length 1', () => {
    const p = new ForcedBOSTokenLogitsProcessor(0);
    const first = rows(2);
    denseApply(p, [[2], [2]], first, V);
    expect(arr(first)).toEqual([0, NEG, NEG, NEG, NEG, NEG, 0, NEG, NEG, NEG, NEG, NEG]);
    const later = rows(1);
    denseApply(p, [[2, 0]], later, V);
    expect(arr(later)).toEqual(row());
  });

  it('forces EOS only at max_length - 1, overriding earlier bans', () => {
    const p = new ForcedEOSTokenLogitsProcessor(4, 2);
    const s = rows(1);
    s[2] = NEG;
    denseApply(p, [[2, 3, 4]], s, V);
    expect(arr(s)).toEqual([NEG, NEG, 0, NEG, NEG, NEG]);
    const early = rows(1);
    denseApply(p, [[2, 3]], early, V);
    expect(arr(early)).toEqual(row());
  });

  it('validates ids and max_length', () => {
    expect(() => new ForcedBOSTokenLogitsProcessor(-1)).toThrow(RagConfigError);
    expect(() => new ForcedEOSTokenLogitsProcessor(0, 2)).toThrow(/max_length/);
    expect(() => new ForcedEOSTokenLogitsProcessor(4, [2.5])).toThrow(/eos_token_id/);
    expect(() => new ForcedBOSTokenLogitsProcessor(9).edits([[2]], V)).toThrow(/outside the vocabulary/);
  });
});

describe('buildLogitsProcessors', () => {
  const base = {
    maxLength: 10,
    minLength: 0,
    numBeams: 2,
    noRepeatNgramSize: 0,
    eosTokenId: 2,
    forcedBosTokenId: null,
    forcedEosTokenId: null,
    badWordsIds: null,
  };
  const names = (l: LogitsProcessorList) => l.processors.map((p) => p.constructor.name);

  it('builds nothing for the defaults and the RAG fixture config builds only ForcedEOS', () => {
    expect(buildLogitsProcessors(base).length).toBe(0);
    expect(names(buildLogitsProcessors({ ...base, forcedEosTokenId: 2 }))).toEqual(['ForcedEOSTokenLogitsProcessor']);
  });

  it('orders processors as transformers does, with max_length, eos and num_beams passed through', () => {
    const list = buildLogitsProcessors(
      { ...base, minLength: 3, noRepeatNgramSize: 2, badWordsIds: [[5]], forcedBosTokenId: 0, forcedEosTokenId: 2 },
      { prefixAllowedTokensFn: () => [1] },
    );
    expect(names(list)).toEqual([
      'NoRepeatNGramLogitsProcessor',
      'NoBadWordsLogitsProcessor',
      'MinLengthLogitsProcessor',
      'PrefixConstrainedLogitsProcessor',
      'ForcedBOSTokenLogitsProcessor',
      'ForcedEOSTokenLogitsProcessor',
    ]);
    const [, , minLength, prefix, , forcedEos] = list.processors;
    expect((minLength as MinLengthLogitsProcessor).eosTokenIds).toEqual([2]);
    expect((prefix as PrefixConstrainedLogitsProcessor).numBeams).toBe(2);
    expect((forcedEos as ForcedEOSTokenLogitsProcessor).maxLength).toBe(10);
  });

  it('skips min_length without an EOS id and lets a custom processor replace the built one in place', () => {
    expect(buildLogitsProcessors({ ...base, minLength: 3, eosTokenId: null }).length).toBe(0);
    const custom = new MinLengthLogitsProcessor(7, 5);
    const extra = new NoRepeatNGramLogitsProcessor(4);
    const list = buildLogitsProcessors({ ...base, minLength: 3, forcedEosTokenId: 2 }, { logitsProcessor: [extra, custom] });
    expect(list.processors).toEqual([custom, list.processors[1], extra]);
    expect(names(list)).toEqual(['MinLengthLogitsProcessor', 'ForcedEOSTokenLogitsProcessor', 'NoRepeatNGramLogitsProcessor']);
  });
});
