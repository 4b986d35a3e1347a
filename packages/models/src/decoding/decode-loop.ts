import type { GenerationConfig } from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import type { BartGenerator } from '../bart-generator.js';
import { InvalidInputError } from '../errors.js';
import { GenerationError } from '../generation/errors.js';
import type { LogitsProcessor } from '../generation/logits-processors.js';
import { beamSearch, greedySearch } from '../generation/search-drivers.js';
import type { PastKeyValues } from '../past-key-values.js';
import type { RagMath, ReorderedCache } from './rag-math.js';

export interface DecodeSpec {
  generator: BartGenerator;
  math: RagMath;
  /** (batch·nDocs × S × D) generator encoder output, one block of nDocs rows per batch item. */
  encoderHidden: Tensor;
  /** (batch·nDocs × S). */
  encoderMask: number[][];
  batch: number;
  /** Documents per batch item: RAG-Token marginalizes over them; a plain generator has 1. */
  nDocs: number;
  /** RAG-Token: (batch × nDocs) doc scores to marginalize with; absent for a plain generator. */
  docScores?: Float32Array;
  generation: GenerationConfig;
  processors: LogitsProcessor;
  /** Greedy only: the token each batch row just produced, step by step. */
  onTokens?: (tokens: number[]) => void;
  /** Greedy and beam search: each batch item's best hypothesis after every step. */
  onBestSequences?: (sequences: number[][]) => void;
  signal?: AbortSignal;
}

/**
 * The decode loop shared by RAG-Token generation and the per-document generator of RAG-Sequence:
 * greedy (`numBeams == 1`) or beam search, the decoder run incrementally with its cache, and the
 * step's math (marginalize or log_softmax, processors, beam scores, top-k) on the RagMath backend.
 * Rows are laid out (batch, beam, doc), as transformers' `extend_enc_output` does.
 */
export async function decode(spec: DecodeSpec): Promise<number[][]> {
  const { generator, math, batch, nDocs, generation } = spec;
  const beams = generation.numBeams;
  const vocab = generator.vocabSize;
  const start = generation.decoderStartTokenId;
  if (start === null) throw new GenerationError('generation needs decoder_start_token_id');
  // A decoder with shared cross-attention reads the given rows as they are (every beam of a document
  // shares them); a per-row one reads row (b, beam, z) of the expanded output = row b·nDocs + z.
  const expand = generator.sharedCrossAttention
    ? undefined
    : Uint32Array.from({ length: batch * beams * nDocs }, (_, i) => Math.floor(i / (beams * nDocs)) * nDocs + (i % nDocs));
  const hidden = expand && beams > 1 ? await math.gatherRows(spec.encoderHidden, expand) : spec.encoderHidden;
  const maskTensor = expand ? generator.encoderMask(Array.from(expand, (r) => spec.encoderMask[r]!), 1) : generator.encoderMask(spec.encoderMask, nDocs);
  const docScores = spec.docScores ? repeatRows(spec.docScores, nDocs, beams) : undefined;
  let past: PastKeyValues | undefined;
  // The backend's reorder of the last step's cache for the beams it predicted the scorer keeps.
  let reordered: ReorderedCache | undefined;
  const eosTokenIds = generation.eosTokenId === null ? [] : typeof generation.eosTokenId === 'number' ? [generation.eosTokenId] : [...generation.eosTokenId];

  const reorderCache = async (cache: PastKeyValues, beamIdx: Int32Array): Promise<PastKeyValues> => {
    const predicted = reordered;
    reordered = undefined;
    if (predicted && predicted.nextBeamIndices.every((row, i) => row === beamIdx[i])) return cache.withSelfAttention(predicted.tensors);
    for (const t of predicted?.tensors ?? []) t.dispose();
    const rows = Uint32Array.from({ length: beamIdx.length * nDocs }, (_, i) => beamIdx[Math.floor(i / nDocs)]! * nDocs + (i % nDocs));
    return cache.mapSelfAttention((t) => math.gatherRows(t, rows));
  };

  const runStep = async (inputIds: number[][], beamIdx: Int32Array | null): Promise<Tensor> => {
    // Past its learned positions BART has no embedding to read (transformers: an IndexError).
    const position = inputIds[0]!.length - 1;
    const positions = generator.config.maxPositionEmbeddings;
    if (position >= positions) {
      throw new InvalidInputError(
        `decoding reached position ${position}, past the generator's max_position_embeddings = ${positions}: ask for maxLength ≤ ${positions} (now ${generation.maxLength}; minLength ${generation.minLength})`,
        { position, maxPositionEmbeddings: positions, maxLength: generation.maxLength, minLength: generation.minLength },
      );
    }
    const tokens = inputIds.flatMap((row) => new Array<number>(nDocs).fill(row[row.length - 1]!));
    if (!past) {
      const step = await generator.decodeFirst(tokens.map((t) => [t]), hidden, maskTensor);
      past = step.past;
      return step.logits;
    }
    if (beamIdx) past = await reorderCache(past, beamIdx);
    const step = await generator.decodeNext(tokens, maskTensor, past);
    past = step.past;
    return step.logits;
  };

  const candidates = async (inputIds: number[][], logits: Tensor, k: number, beamScores: Float32Array, curLen?: number) => {
    // Beam search hands the backend this step's cache, to reorder it within the step's submit.
    const cache = curLen !== undefined && past ? { tensors: past.selfAttention(), nDocs, eosTokenIds, reachesMax: curLen + 1 >= generation.maxLength } : undefined;
    try {
      const top = await math.selectCandidates(
        docScores ? { kind: 'marginalize', logits, docScores, nDocs } : { kind: 'logSoftmax', logits },
        { batch, beams, vocab, k, beamScores, edits: spec.processors.edits(inputIds, vocab), ...(cache ? { cache } : {}) },
      );
      reordered = top.reordered;
      return top;
    } finally {
      logits.dispose();
    }
  };

  try {
    const prompts = Array.from({ length: batch }, () => [start]);
    const control = { ...(spec.signal ? { signal: spec.signal } : {}), ...(spec.onBestSequences ? { onBestSequences: spec.onBestSequences } : {}) };
    if (beams === 1) {
      const zeros = new Float32Array(batch);
      return await greedySearch(
        async (inputIds) => {
          const top = await candidates(inputIds, await runStep(inputIds, null), 1, zeros);
          const next = Array.from(top.ids);
          spec.onTokens?.(next);
          return next;
        },
        prompts,
        { maxLength: generation.maxLength, eosTokenId: generation.eosTokenId, padTokenId: generation.padTokenId, ...control },
      );
    }
    const out = await beamSearch(
      async (request) => {
        const logits = await runStep(request.inputIds, request.beamIdx);
        const top = await candidates(request.inputIds, logits, request.beamsToKeep, request.runningBeamScores, request.curLen);
        return {
          scores: top.values,
          tokens: Array.from(top.ids, (id) => id % vocab),
          beamIndices: Array.from(top.ids, (id) => Math.floor(id / vocab)),
        };
      },
      prompts,
      {
        numBeams: beams,
        maxLength: generation.maxLength,
        lengthPenalty: generation.lengthPenalty,
        earlyStopping: generation.earlyStopping,
        numReturnSequences: generation.numReturnSequences,
        eosTokenId: generation.eosTokenId,
        padTokenId: generation.padTokenId,
        ...control,
      },
    );
    return out.sequences;
  } finally {
    (past as PastKeyValues | undefined)?.dispose();
    for (const t of (reordered as ReorderedCache | undefined)?.tensors ?? []) t.dispose();
    if (hidden !== spec.encoderHidden) hidden.dispose();
  }
}

/** (batch × n) rows, each repeated `times` times in place (`repeat_interleave(times, dim=0)`). */
function repeatRows(data: Float32Array, width: number, times: number): Float32Array {
  const rows = data.length / width;
  const out = new Float32Array(rows * times * width);
  for (let r = 0; r < rows; r++) for (let t = 0; t < times; t++) out.set(data.subarray(r * width, (r + 1) * width), (r * times + t) * width);
  return out;
}
