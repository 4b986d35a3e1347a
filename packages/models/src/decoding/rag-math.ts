import type { RagNllShape, RagSequenceNllOptions, RowEdit, TopKResult } from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';

/**
 * How one decoding step turns the decoder's logits into next-token log-probabilities:
 * - `marginalize` (RAG-Token): logits are (rows·nDocs × 1 × V) and are marginalized over the
 *   documents with `docScores` (rows × nDocs), as `RagTokenForGeneration.marginalize`;
 * - `logSoftmax` (a plain generator, as RAG-Sequence runs it per document): (rows × 1 × V).
 */
export type StepLogits =
  | { kind: 'marginalize'; logits: Tensor; docScores: Float32Array; nDocs: number }
  | { kind: 'logSoftmax'; logits: Tensor };

export interface CandidateRequest {
  /** Batch items; rows = batch × beams. */
  batch: number;
  beams: number;
  vocab: number;
  /** Candidates kept per batch item over its beams × V scores. */
  k: number;
  /** Running score of each row, added after the processors (0 for greedy). */
  beamScores: Float32Array;
  /** The logits processors' edits per row (from generation/logits-edits). */
  edits: ReadonlyArray<RowEdit | undefined>;
  /**
   * Beam search: the self-attention cache this step's decoder run returned. A backend that can
   * (WebGPU) reorders it for the beams the scorer is predicted to keep in the same submit as the
   * selection, so the next step needs no submit of its own for the reorder.
   */
  cache?: StepCache;
}

export interface StepCache {
  /** Tensors of (rows·nDocs) leading rows, rows = batch × beams. */
  tensors: readonly Tensor[];
  /** Cache rows per beam (RAG-Token: one per document). */
  nDocs: number;
  eosTokenIds: readonly number[];
  /** This step reaches max_length: every candidate is finished. */
  reachesMax: boolean;
}

/** The step's top-k and, when the backend reordered the cache, that reorder. */
export interface StepCandidates extends TopKResult {
  reordered?: ReorderedCache;
}

/**
 * The cache reordered for `nextBeamIndices` (flat beam rows, as the scorer returns them). The
 * decode loop uses `tensors` when the scorer's choice equals `nextBeamIndices`, else disposes them.
 */
export interface ReorderedCache {
  nextBeamIndices: Uint32Array;
  tensors: Tensor[];
}

/**
 * RAG's math on one backend: the per-step candidate selection of generation, and the
 * marginalization and losses of `forward(labels=…)`. On WebGPU it runs as shaders on the buffers
 * onnxruntime-web left on the GPU and reads back only the k candidates per batch item; on WASM
 * it runs the TypeScript references over the logits on the CPU. Both return the same numbers.
 */
export interface RagMath {
  readonly backend: 'webgpu' | 'cpu';
  /** log-probs → processors → + beam scores → top-k per batch item over (beams × V); ids index beams·V. */
  selectCandidates(step: StepLogits, request: CandidateRequest): Promise<StepCandidates>;
  /** Rows of a [rows, ...] tensor picked by `indices` (a KV cache after a beam step); the input is left alone. */
  gatherRows(tensor: Tensor, indices: Uint32Array): Promise<Tensor>;
  /** `get_nll` of RAG-Token or RAG-Sequence over (B·n × T × V) logits; `loss` has B values, or 1 when reduced. */
  nll(variant: 'token' | 'sequence', logits: Tensor, docScores: Float32Array, labels: Int32Array, shape: RagNllShape, options: RagSequenceNllOptions): Promise<Float32Array>;
  /** `RagTokenForGeneration.marginalize`: (B·n × T × V) logits → (B × T × V) log-probabilities. */
  marginalize(logits: Tensor, docScores: Float32Array, shape: RagNllShape): Promise<Float32Array>;
}

export function rowsOf(tensor: Tensor): { rows: number; rowSize: number } {
  const [rows = 0, ...rest] = tensor.dims;
  return { rows, rowSize: rest.reduce((a, b) => a * b, 1) };
}
