import { requireElements, requirePositiveDims } from '../shape-checks.js';

export interface DocScoresShape {
  batch: number;
  nDocs: number;
  hidden: number;
}

export function validateDocScores(shape: DocScoresShape, questionLength: number, docsLength: number, kind: 'array' | 'buffer'): void {
  requirePositiveDims('docScores', { ...shape });
  requireElements('docScores', 'question (batch·hidden)', questionLength, shape.batch * shape.hidden, kind);
  requireElements('docScores', 'retrieved doc embeddings (batch·nDocs·hidden)', docsLength, shape.batch * shape.nDocs * shape.hidden, kind);
}
