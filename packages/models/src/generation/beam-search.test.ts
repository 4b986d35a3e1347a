import { RagConfigError, ShapeError } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { BeamSearchScorer } from './beam-search-scorer.js';
import { GenerationError } from './errors.js';
import { buildLogitsProcessors, LogitsProcessorList } from './logits-processor-list.js';
import { beamSearch, greedySearch } from './search-drivers.js';
import { denseBeamStep, denseGreedyStep, selectBeamCandidates } from '../../test/dense-generation.js';

/**
 * A toy "language model" whose next-token distribution depends only on the last token. Ids as in
 * BART: 0 <s>, 1 <pad>, 2 </s> (also the decoder start), 3 A, 4 B, 5 C. Table A is built so that
 * greedy and beam search disagree: greedy takes A (0.5) and then can only reach 0.35, beam search
 * keeps B (0.4) whose continuation C has 0.9. Table B ends almost at once.
 */
const V = 6;
type Table = Record<number, number[]>;
const uniform = [1, 1, 1, 1, 1, 1].map((p) => p / 6);
const TABLE_A: Table = {
  0: uniform,
  1: uniform,
  2: [0.012, 0.008, 0.05, 0.5, 0.4, 0.03],
  3: [0.03, 0.02, 0.25, 0.05, 0.35, 0.3],
  4: [0.006, 0.004, 0.05, 0.03, 0.01, 0.9],
  5: [0.012, 0.008, 0.8, 0.1, 0.05, 0.03],
};
const TABLE_B: Table = {
  0: uniform,
  1: uniform,
  2: [0.03, 0.02, 0.6, 0.2, 0.1, 0.05],
  3: [0.03, 0.02, 0.5, 0.1, 0.2, 0.15],
  4: [0.03, 0.02, 0.5, 0.15, 0.1, 0.2],
  5: [0.03, 0.02, 0.5, 0.2, 0.15, 0.1],
};
const f32 = Math.fround;
/** log p as the float32 the model would hand over. */
const lp = (table: Table, after: number, token: number) => f32(Math.log((table[after] as number[])[token] as number));
/** A float32 running sum of log-probs along a path, as the beam search accumulates it. */
const pathScore = (table: Table, tokens: number[]) => tokens.slice(1).reduce((acc, t, i) => f32(lp(table, tokens[i] as number, t) + acc), 0);

/**
 * Log-prob rows for `inputIds`, batch item b reading `tables[b]`. It also checks the beamIdx
 * contract: every row continues the previous step's row `beamIdx[row]`.
 */
function toyModel(tables: Table[], rowsPerBatch: number) {
  let previous: number[][] | null = null;
  let steps = 0;
  // Greedy calls it without beamIdx: rows then simply grow in place.
  const logProbs = async (inputIds: number[][], beamIdx?: Int32Array | null) => {
    if (previous !== null && beamIdx !== undefined) {
      expect(beamIdx).not.toBeNull();
      inputIds.forEach((row, i) => expect(row.slice(0, -1)).toEqual(previous?.[(beamIdx as Int32Array)[i] as number]));
    }
    previous = inputIds;
    steps++;
    const out = new Float32Array(inputIds.length * V);
    inputIds.forEach((row, r) => {
      const table = tables[Math.floor(r / rowsPerBatch)] as Table;
      for (let t = 0; t < V; t++) out[r * V + t] = lp(table, row.at(-1) as number, t);
    });
    return out;
  };
  return { logProbs, steps: () => steps };
}

const BART = { eosTokenId: 2, padTokenId: 1 };
const RAG_DEFAULTS = { maxLength: 20, minLength: 0, numBeams: 2, noRepeatNgramSize: 0, eosTokenId: 2, forcedBosTokenId: null, forcedEosTokenId: null, badWordsIds: null };
const search = (tables: Table[], options: { numBeams: number; maxLength: number; numReturnSequences?: number; processors?: LogitsProcessorList }) => {
  const model = toyModel(tables, options.numBeams);
  const step = denseBeamStep(model.logProbs, options.processors ?? new LogitsProcessorList(), V, options.numBeams);
  const prompts = tables.map(() => [2]);
  return beamSearch(step, prompts, { ...BART, lengthPenalty: 1, earlyStopping: false, ...options }).then((out) => ({ ...out, steps: model.steps() }));
};

describe('beam search on a toy model (hand-traced)', () => {
  it('finds the sequence greedy misses, and returns num_return_sequences rows padded with pad', async () => {
    const greedy = await greedySearch(denseGreedyStep(toyModel([TABLE_A], 1).logProbs, new LogitsProcessorList(), V), [[2]], { ...BART, maxLength: 6 });
    expect(greedy).toEqual([[2, 3, 4, 5, 2]]);

    // Step 3 finishes </s> after B C (rank 0); step 4 finishes A B C </s>; then the best live
    // beam (A B C A, -4.15 over 4 tokens) cannot beat the worst finished one (-0.52).
    const out = await search([TABLE_A], { numBeams: 2, maxLength: 6, numReturnSequences: 2 });
    expect(out.sequences).toEqual([
      [2, 4, 5, 2, 1],
      [2, 3, 4, 5, 2],
    ]);
    expect(Array.from(out.sequenceScores)).toEqual([f32(pathScore(TABLE_A, [2, 4, 5, 2]) / 3), f32(pathScore(TABLE_A, [2, 3, 4, 5, 2]) / 4)]);
    expect(out.beamIndices).toEqual([
      [0, 1, 0, -1],
      [0, 0, 1, 0],
    ]);
    expect(out.steps).toBe(4);
  });

  it('streams the best hypothesis after every step: the live beam, until a finished one outranks it', async () => {
    const model = toyModel([TABLE_A], 2);
    const step = denseBeamStep(model.logProbs, new LogitsProcessorList(), V, 2);
    const streamed: number[][][] = [];
    const out = await beamSearch(step, [[2]], { ...BART, numBeams: 2, maxLength: 6, lengthPenalty: 1, earlyStopping: false, onBestSequences: (s) => streamed.push(s) });
    // Step 2 keeps B C (0.36) over A B; at step 3 B C </s> finishes (0.288 over 3 tokens), above
    // the live A B C (0.1575 over 3): the finished one is streamed from then on.
    expect(streamed.slice(0, 3)).toEqual([[[2, 3]], [[2, 4, 5]], [[2, 4, 5, 2]]]);
    expect(streamed).toHaveLength(4);
    expect(streamed.at(-1)).toEqual([out.sequences[0]!.filter((t) => t !== 1)]);
  });

  it('ends at max_length with the top numBeams candidates of the last step, EOS or not', async () => {
    const out = await search([TABLE_A], { numBeams: 2, maxLength: 4, numReturnSequences: 2 });
    expect(out.sequences).toEqual([
      [2, 4, 5, 2],
      [2, 3, 4, 5],
    ]);
    expect(out.sequenceScores[1]).toBe(f32(pathScore(TABLE_A, [2, 3, 4, 5]) / 3));
    expect(out.steps).toBe(3);
  });

  it('forced_eos_token_id makes the last token EOS on every returned row', async () => {
    const processors = buildLogitsProcessors({ ...RAG_DEFAULTS, maxLength: 4, forcedEosTokenId: 2 });
    const out = await search([TABLE_A], { numBeams: 2, maxLength: 4, numReturnSequences: 2, processors });
    expect(out.sequences).toEqual([
      [2, 4, 5, 2],
      [2, 3, 4, 2],
    ]);
    // A forced token scores 0, so the last step adds nothing.
    expect(out.sequenceScores[1]).toBe(f32(pathScore(TABLE_A, [2, 3, 4]) / 3));
  });

  it('min_length keeps EOS out until the row is long enough, so the short hypothesis is never found', async () => {
    const processors = buildLogitsProcessors({ ...RAG_DEFAULTS, maxLength: 8, minLength: 4 });
    const out = await search([TABLE_A], { numBeams: 2, maxLength: 8, processors });
    expect(out.sequences).toEqual([[2, 3, 4, 5, 2]]);
    const free = await search([TABLE_A], { numBeams: 2, maxLength: 8 });
    expect(free.sequences).toEqual([[2, 4, 5, 2]]);
  });

  it('keeps batch items apart: an item that ends at once is padded to the longest returned row', async () => {
    // Item 1 takes </s> first (0.6): its best is [2, 2], as transformers returns for a generator
    // that prefers to stop. Its later steps are masked and change nothing.
    const out = await search([TABLE_A, TABLE_B], { numBeams: 2, maxLength: 6 });
    expect(out.sequences).toEqual([
      [2, 4, 5, 2],
      [2, 2, 1, 1],
    ]);
    expect(out.beamIndices).toEqual([
      [0, 1, 0],
      [2, -1, -1],
    ]);
    expect(out.sequenceScores[1]).toBe(lp(TABLE_B, 2, 2));
  });

  it('greedy pads rows that finished while others go on', async () => {
    const model = toyModel([TABLE_A, TABLE_B], 1);
    const rows = await greedySearch(denseGreedyStep(model.logProbs, new LogitsProcessorList(), V), [[2], [2]], { ...BART, maxLength: 8 });
    expect(rows).toEqual([
      [2, 3, 4, 5, 2],
      [2, 2, 1, 1, 1],
    ]);
  });
});

describe('BeamSearchScorer', () => {
  const scorer = (options: Partial<ConstructorParameters<typeof BeamSearchScorer>[1]> = {}) =>
    new BeamSearchScorer([[2]], { numBeams: 2, maxLength: 6, ...BART, ...options });

  it('starts with beam 0 live and the others at -1e9, and asks for max(2, 1 + #eos)·numBeams candidates', () => {
    expect(Array.from(scorer().runningBeamScores)).toEqual([0, -1e9]);
    expect(scorer().beamsToKeep).toBe(4);
    expect(scorer({ eosTokenId: [2, 0] }).beamsToKeep).toBe(6);
    expect(scorer({ eosTokenId: null }).beamsToKeep).toBe(4);
  });

  it('does not finish an EOS ranked below numBeams, and never continues a finished beam unmasked', () => {
    const s = scorer();
    const step = s.process({ scores: [-0.7, -0.9, -3, -3.5], tokens: [3, 4, 2, 5], beamIndices: [0, 0, 0, 0] });
    expect(Array.from(step.nextBeamTokens)).toEqual([3, 4]);
    expect(Array.from(step.nextBeamIndices)).toEqual([0, 0]);
    expect(Array.from(step.nextBeamScores)).toEqual([f32(-0.7), f32(-0.9)]);
    expect(s.hypotheses[0]?.hypotheses.every((h) => !h.finished)).toBe(true);
    // Three EOS in the top four: one live beam is left, the other slot is a masked EOS beam.
    const next = s.process({ scores: [-1, -1.1, -1.2, -1.3], tokens: [2, 2, 5, 2], beamIndices: [1, 0, 0, 1] });
    expect(Array.from(next.nextBeamTokens)).toEqual([5, 2]);
    expect(next.nextBeamScores[1]).toBe(f32(f32(-1) - 1e9));
    expect(s.hypotheses[0]?.hypotheses.map((h) => h.tokens)).toEqual([
      [2, 4, 2],
      [2, 3, 2],
    ]);
  });

  it('pads with pad, or with EOS when pad is 0 or unset (Python `pad or eos`), or -1 without EOS', () => {
    expect(scorer().padValue).toBe(1);
    expect(scorer({ padTokenId: 0 }).padValue).toBe(2);
    expect(scorer({ padTokenId: null }).padValue).toBe(2);
    expect(scorer({ eosTokenId: null }).padValue).toBe(-1);
  });

  it('returns the placeholder (prompt, score -1e9) for slots no finished hypothesis filled', () => {
    const s = scorer({ maxLength: 2, numReturnSequences: 2 });
    // Only one finite candidate at the last step: the second returned row stays a placeholder.
    s.process({ scores: [-1, -Infinity, -Infinity, -Infinity], tokens: [3, 4, 5, 0], beamIndices: [0, 0, 0, 0] });
    expect(s.isDone).toBe(true);
    const out = s.finalize();
    expect(out.sequences).toEqual([
      [2, 3],
      [2, 1],
    ]);
    expect(Array.from(out.sequenceScores)).toEqual([-1, -1e9]);
    expect(out.beamIndices).toEqual([[0], [-1]]);
  });

  it('validates options and candidates', () => {
    expect(() => scorer({ numReturnSequences: 3 })).toThrow(RagConfigError);
    expect(() => scorer({ maxLength: 1 })).toThrow(/max_length/);
    expect(() => scorer().process({ scores: [0, 0, 0], tokens: [1, 1, 1], beamIndices: [0, 0, 0] })).toThrow(ShapeError);
    expect(() => scorer().process({ scores: [-2, -1, -3, -4], tokens: [3, 4, 5, 0], beamIndices: [0, 0, 0, 0] })).toThrow(/sorted/);
    expect(() => scorer().process({ scores: [-1, -2, -3, -4], tokens: [3, 4, 5, 0], beamIndices: [0, 2, 0, 0] })).toThrow(GenerationError);
    const done = scorer({ maxLength: 2 });
    done.process({ scores: [-1, -2, -3, -4], tokens: [3, 4, 5, 0], beamIndices: [0, 0, 0, 0] });
    expect(done.isDone).toBe(true);
    expect(() => done.process({ scores: [-1, -2, -3, -4], tokens: [3, 4, 5, 0], beamIndices: [0, 0, 0, 0] })).toThrow(/already done/);
  });
});

describe('selectBeamCandidates', () => {
  it('adds running scores in float32 and breaks exact ties by the lower beam·V + token index', () => {
    const logProbs = Float32Array.from([-1, -2, -1, -3, /* beam 1 */ -0.5, -1, -4, -1]);
    const out = selectBeamCandidates(logProbs, Float32Array.from([0, -0.5]), 2, 4, 4);
    expect(Array.from(out.scores)).toEqual([-1, -1, -1, -1.5]);
    expect(Array.from(out.tokens)).toEqual([0, 2, 0, 1]);
    expect(Array.from(out.beamIndices)).toEqual([0, 0, 1, 1]);
  });
});
