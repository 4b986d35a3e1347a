import type { LogitsDtype } from '../wgsl/index.js';
import { requireElements, requirePositiveDims } from '../shape-checks.js';

/**
 * Shapes of RAG-Token marginalization, as `RagTokenForGeneration.marginalize` sees them:
 * seq logits (batch·nDocs × seqLen × vocab), rows grouped per question (b·nDocs + z), and
 * doc scores (batch × nDocs).
 */
export interface MarginalizeShape {
  batch: number;
  nDocs: number;
  seqLen: number;
  vocab: number;
  /** Element type of the seq logits on the GPU path (default f32); results are always f32. */
  dtype?: LogitsDtype;
}

export function validateMarginalize(
  kernel: string,
  shape: MarginalizeShape,
  seqLogitsLength: number,
  docScoresLength: number,
  kind: 'array' | 'buffer',
): void {
  requirePositiveDims(kernel, { batch: shape.batch, nDocs: shape.nDocs, seqLen: shape.seqLen, vocab: shape.vocab });
  const { batch, nDocs, seqLen, vocab } = shape;
  requireElements(kernel, 'seq logits (batch·nDocs·seqLen·vocab)', seqLogitsLength, batch * nDocs * seqLen * vocab, kind);
  requireElements(kernel, 'doc scores (batch·nDocs)', docScoresLength, batch * nDocs, kind);
}
