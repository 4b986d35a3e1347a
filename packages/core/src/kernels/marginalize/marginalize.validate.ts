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
}

export function validateMarginalize(
  kernel: string,
  shape: MarginalizeShape,
  seqLogitsLength: number,
  docScoresLength: number,
  kind: 'array' | 'buffer',
): void {
  requirePositiveDims(kernel, { ...shape });
  const { batch, nDocs, seqLen, vocab } = shape;
  requireElements(kernel, 'seq logits (batch·nDocs·seqLen·vocab)', seqLogitsLength, batch * nDocs * seqLen * vocab, kind);
  requireElements(kernel, 'doc scores (batch·nDocs)', docScoresLength, batch * nDocs, kind);
}
