import { NonFiniteEmbeddingError } from './errors.js';

/** Throws NonFiniteEmbeddingError for the first NaN or ±Infinity in `data` (rows of `dimension` values; row 1 is passage `firstPassage`). */
export function assertFiniteEmbeddings(data: Float32Array, dimension: number, what: string, firstPassage = 1): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new NonFiniteEmbeddingError(what, firstPassage + Math.floor(i / dimension), data[i]!);
  }
}
