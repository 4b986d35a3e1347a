import type { Embedder } from './contracts.js';
import { assertFiniteEmbeddings } from './embedding-identity.js';
import { EmbeddingDimensionError } from './errors.js';

/**
 * Progress of an ingest into any knowledge base (in the browser, on Postgres), discriminated by
 * `status`; `done` never decreases and ends at `total`.
 */
export type IngestEvent =
  | { status: 'parsed'; total: number }
  | { status: 'resumed'; done: number; total: number }
  | { status: 'progress'; done: number; total: number; embedded: number }
  | { status: 'indexing'; total: number }
  | { status: 'done'; total: number; firstId: number; embedded: number };

/** A passage to ingest; `embedding` when it was computed ahead of time. */
export interface IngestRow {
  title: string;
  text: string;
  embedding?: Float32Array;
}

/** One batch's embeddings, in order: the given ones, and the embedder's for the rest (checked for width and finiteness). */
export async function embeddingsOf(batch: readonly IngestRow[], d: number, embedder: Embedder | undefined, signal: AbortSignal | undefined): Promise<Float32Array[]> {
  const need = batch.filter((r) => !r.embedding);
  let computed: Float32Array | undefined;
  if (need.length > 0) {
    computed = await embedder!.embed(
      need.map(({ title, text }) => ({ title, text })),
      signal ? { signal } : undefined,
    );
    if (computed.length !== need.length * d) throw new EmbeddingDimensionError(d, computed.length / need.length, `embedder "${embedder!.modelId}" output`);
    // An encoder that overflows (fp16, a broken export) must not slip garbage into the index.
    assertFiniteEmbeddings(computed, d, `embedder "${embedder!.modelId}" output for this batch`);
  }
  let k = 0;
  return batch.map((r) => r.embedding ?? computed!.slice(k * d, ++k * d));
}
