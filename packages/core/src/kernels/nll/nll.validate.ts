import { RagConfigError, ShapeError } from '../../errors.js';
import { validateMarginalize, type MarginalizeShape } from '../marginalize/marginalize.validate.js';
import { requireElements } from '../shape-checks.js';

/** seq logits (batch·nDocs × seqLen × vocab), doc scores (batch × nDocs), labels (batch × seqLen). */
export type RagNllShape = MarginalizeShape;

/** The `get_nll` arguments both RAG variants share (HF names in comments). */
export interface RagNllOptions {
  /** config.generator.pad_token_id: targets equal to it are masked (1 for BART). */
  padTokenId: number;
  /** label_smoothing ε (config.label_smoothing, default 0). */
  epsilon?: number;
  /** reduce_loss: sum the per-question losses into one value (default false). */
  reduceLoss?: boolean;
}

/** RagSequenceForGeneration.get_nll adds exclude_bos_score and needs the BOS id to apply it. */
export interface RagSequenceNllOptions extends RagNllOptions {
  /** exclude_bos_score: drop the first shifted position when every question's is BOS. */
  excludeBosScore?: boolean;
  /**
   * `config.bos_token_id or config.generator.bos_token_id` (Python `or`: a RAG-level 0 falls
   * through to the generator's); null as for T5, where exclude_bos_score has no effect.
   */
  bosTokenId?: number | null;
}

/**
 * What get_nll computes, per question or (reduceLoss) summed into one value:
 * loss = (1 − ε)·nllLoss + ε/vocab·smoothLoss, the value HF returns; nllLoss = −Σ log p(target);
 * smoothLoss = −Σ over positions and vocab of the log-probabilities (HF's `smooth_loss`).
 * The GPU kernels return the same three as one buffer: [loss | nllLoss | smoothLoss], each of
 * `ragNllLength(batch, reduceLoss)` f32 values.
 */
export interface RagNllResult {
  loss: Float32Array;
  nllLoss: Float32Array;
  smoothLoss: Float32Array;
}

/** How many values each of loss/nllLoss/smoothLoss has: batch, or 1 when reduced. */
export function ragNllLength(batch: number, reduceLoss = false): number {
  return reduceLoss ? 1 : batch;
}

export function validateRagNll(
  kernel: string,
  shape: RagNllShape,
  lengths: { seqLogits: number; docScores: number; labels: number },
  options: RagSequenceNllOptions,
  kind: 'array' | 'buffer',
): void {
  validateMarginalize(kernel, shape, lengths.seqLogits, lengths.docScores, kind);
  requireElements(kernel, 'labels (batch·seqLen)', lengths.labels, shape.batch * shape.seqLen, kind);
  const { padTokenId, epsilon = 0, bosTokenId = null } = options;
  if (!Number.isInteger(padTokenId) || padTokenId < 0 || padTokenId >= shape.vocab) {
    throw new RagConfigError(`${kernel}: padTokenId must be an id in [0, ${shape.vocab}), got ${padTokenId}`, { padTokenId });
  }
  if (bosTokenId !== null && (!Number.isInteger(bosTokenId) || bosTokenId < 0 || bosTokenId > 0xffffffff)) {
    throw new RagConfigError(`${kernel}: bosTokenId must be a non-negative integer or null, got ${bosTokenId}`, { bosTokenId });
  }
  if (!Number.isFinite(epsilon)) {
    throw new RagConfigError(`${kernel}: epsilon (label smoothing) must be a finite number, got ${epsilon}`, { epsilon });
  }
}

/**
 * get_nll's target: labels shifted left by one, the last position filled with the pad id
 * (`torch.cat([target[:, 1:], pad], 1)`); logits at position t are scored against label t + 1.
 * A non-pad id outside the vocabulary throws, as torch's gather does.
 */
export function shiftLabels(labels: Int32Array | Uint32Array, shape: RagNllShape, padTokenId: number): Int32Array {
  const { batch, seqLen, vocab } = shape;
  const target = new Int32Array(batch * seqLen).fill(padTokenId);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t + 1 < seqLen; t++) {
      const id = labels[b * seqLen + t + 1]!;
      if (id !== padTokenId && !(id >= 0 && id < vocab)) {
        throw new ShapeError(`labels[${b}, ${t + 1}] = ${id} is outside the vocabulary [0, ${vocab})`, { b, t: t + 1, id });
      }
      target[b * seqLen + t] = id;
    }
  }
  return target;
}
