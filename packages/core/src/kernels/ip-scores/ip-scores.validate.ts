import { requireElements, requirePositiveDims } from '../shape-checks.js';

/**
 * queries (queries × dim) f32 → scores (queries × rows). `corpus` 'shared' (default): one
 * (rows × dim) matrix for every query; 'perQuery': (queries × rows × dim), each query's own rows.
 */
export interface IpScoresShape {
  queries: number;
  rows: number;
  dim: number;
  corpus?: 'shared' | 'perQuery';
}

/** RagModel's doc scores: each question (batch × hidden) against its own nDocs retrieved docs. */
export interface DocScoresShape {
  batch: number;
  nDocs: number;
  hidden: number;
}

export function validateIpScores(shape: IpScoresShape, queriesLength: number, corpusLength: number, kind: 'array' | 'buffer'): void {
  const { queries, rows, dim } = shape;
  requirePositiveDims('ipScores', { queries, rows, dim });
  requireElements('ipScores', 'queries (queries·dim)', queriesLength, queries * dim, kind);
  const perQuery = shape.corpus === 'perQuery';
  requireElements('ipScores', perQuery ? 'corpus (queries·rows·dim)' : 'corpus (rows·dim)', corpusLength, (perQuery ? queries : 1) * rows * dim, kind);
}

export function docScoresAsIpScores({ batch, nDocs, hidden }: DocScoresShape): IpScoresShape {
  return { queries: batch, rows: nDocs, dim: hidden, corpus: 'perQuery' };
}
