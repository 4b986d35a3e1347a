import { ShapeError } from '../../errors.js';
import { requireElements, requirePositiveDims } from '../shape-checks.js';

/** The step's top-k (batch × k, best first per batch item) and what decides the kept beams. */
export interface BeamSelectShape {
  batch: number;
  /** Candidates per batch item (the scorer's beamsToKeep). */
  k: number;
  numBeams: number;
  vocab: number;
  /** Cache rows per beam (RAG-Token: one per document). */
  nDocs: number;
  eosTokenIds: readonly number[];
  /** The step reaches max_length: every candidate counts as finished. */
  reachesMax: boolean;
}

export interface BeamSelection {
  /** (batch·numBeams) flat beam row of the previous step each kept beam extends. */
  nextBeamIndices: Uint32Array;
  /** (batch·numBeams·nDocs) cache rows to gather: nextBeamIndices[r]·nDocs + z. */
  cacheRows: Uint32Array;
}

export function validateBeamSelect(shape: BeamSelectShape, idsLength: number, valuesLength: number, kind: 'array' | 'buffer'): void {
  const { batch, k, numBeams, vocab, nDocs } = shape;
  requirePositiveDims('beamSelect', { batch, k, numBeams, vocab, nDocs });
  if (numBeams > k) throw new ShapeError(`beamSelect: numBeams (${numBeams}) exceeds the ${k} candidates per batch item`, { numBeams, k });
  if (shape.eosTokenIds.some((id) => !Number.isInteger(id) || id < 0)) throw new ShapeError(`beamSelect: EOS ids must be token ids, got ${JSON.stringify(shape.eosTokenIds)}`);
  requireElements('beamSelect', 'ids (batch·k)', idsLength, batch * k, kind);
  requireElements('beamSelect', 'values (batch·k)', valuesLength, batch * k, kind);
}
