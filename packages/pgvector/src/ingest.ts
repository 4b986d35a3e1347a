import { createHash } from 'node:crypto';
import { EmbeddingDimensionError, RagConfigError, assertFiniteEmbeddings, checkEncoderProbe, checkModelId, embeddingsOf, type Embedder, type IngestEvent, type IngestRow, type StoredPassage } from '@rag-web/core';
import { UnstorableTextError } from './errors.js';
import type { PgKnowledgeBase } from './pg-knowledge-base.js';

/** One passage to ingest: core's IngestRow. */
export type PgIngestRow = IngestRow;

/** Progress events: core's IngestEvent. */
export type PgIngestEvent = IngestEvent;

export interface PgIngestOptions {
  /** Computes embeddings for passages that come without them (the DPR context encoder). */
  embedder?: Embedder;
  /** Model id to record when every passage comes with its embedding (default: the manifest's). */
  modelId?: string;
  /** Passages per embedder call and per transaction (default 64). */
  batchSize?: number;
  onProgress?: (event: PgIngestEvent) => void;
  /** Aborting stops before the next batch; the committed batches stay and a later call resumes. */
  signal?: AbortSignal;
  /** The model's question encoding of ENCODER_PROBE_QUESTION (core), to record with the passages. */
  encoderProbe?: Float32Array;
}

export interface PgIngestResult {
  /** Doc id of the first passage of the input; the others follow consecutively. */
  firstId: number;
  count: number;
  /** Passages found already committed by an interrupted earlier call with the same input. */
  resumed: number;
  /** Passages that went through the embedder in this call. */
  embedded: number;
}

// Lone UTF-16 surrogates have no UTF-8 form: Postgres would store U+FFFD instead.
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Adds passages to a Postgres knowledge base, with the semantics of the retriever package's
 * `ingest`: everything is checked before anything is written, then per batch the passages
 * lacking an embedding are embedded and the batch is committed with the manifest row (next id,
 * count, checkpoint) in one transaction. Committed batches are visible at once; an interrupted
 * call (abort, lost connection, crash) leaves whole batches, and calling again with the same
 * input resumes after the last committed one without embedding it again.
 */
export async function ingestPassages(kb: PgKnowledgeBase, rows: readonly PgIngestRow[], options: PgIngestOptions = {}): Promise<PgIngestResult> {
  const { embedder, onProgress, signal } = options;
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RagConfigError(`ingest: batchSize must be a positive integer, got ${batchSize}`);
  const d = kb.dimension;
  const total = rows.length;
  onProgress?.({ status: 'parsed', total });

  rows.forEach((r, i) => {
    for (const field of ['title', 'text'] as const) {
      if (typeof r[field] !== 'string') throw new RagConfigError(`ingest: the ${field} of passage ${i + 1} is not a string`, { passage: i + 1, field });
      if (UNSTORABLE.test(r[field])) throw new UnstorableTextError(i + 1, field);
    }
    if (r.embedding && r.embedding.length !== d) throw new EmbeddingDimensionError(d, r.embedding.length, `passage ${i + 1} of the input`);
    if (r.embedding) assertFiniteEmbeddings(r.embedding, d, 'the input', i + 1);
  });
  const missing = rows.some((r) => !r.embedding);
  if (missing && !embedder) throw new RagConfigError('ingest: some passages come without embeddings and no embedder was given');
  if (embedder && embedder.dimension !== d) throw new EmbeddingDimensionError(d, embedder.dimension, `embedder "${embedder.modelId}"`);
  const probe = options.encoderProbe;
  if (probe) {
    if (probe.length !== d) throw new EmbeddingDimensionError(d, probe.length, 'the encoder probe');
    assertFiniteEmbeddings(probe, d, 'the encoder probe');
  }

  const manifest = await kb.refresh();
  const given = (missing ? embedder?.modelId : options.modelId) ?? manifest.modelId;
  const modelId = manifest.count > 0 ? checkModelId(manifest, given, probe) : given;
  if (manifest.count > 0 && probe) checkEncoderProbe(manifest, probe, given);
  if (total === 0) return { firstId: manifest.nextId, count: 0, resumed: 0, embedded: 0 };

  const fingerprint = fingerprintOf(modelId, rows);
  const cp = manifest.checkpoint;
  const resuming = cp !== null && cp.fingerprint === fingerprint && cp.total === total && cp.startId + cp.done === manifest.nextId;
  const firstId = resuming ? cp.startId : manifest.nextId;
  let done = resuming ? cp.done : 0;
  if (resuming) onProgress?.({ status: 'resumed', done, total });
  const resumed = done;
  let embedded = 0;

  while (done < total) {
    signal?.throwIfAborted();
    const batch = rows.slice(done, done + batchSize);
    const vectors = await embeddingsOf(batch, d, embedder, signal);
    embedded += batch.filter((r) => !r.embedding).length;
    const stored: StoredPassage[] = batch.map((r, j) => ({ id: firstId + done + j, title: r.title, text: r.text, embedding: vectors[j]! }));
    done += batch.length;
    // The last batch clears the checkpoint: the same input given again is added again, as in the retriever.
    await kb.writeBatch(stored, { modelId, ...(probe ? { encoderProbe: probe } : {}), checkpoint: done < total ? { fingerprint, startId: firstId, total, done } : null });
    onProgress?.({ status: 'progress', done, total, embedded });
  }

  if (kb.index === 'hnsw') {
    onProgress?.({ status: 'indexing', total });
    await kb.buildIndex();
  }
  onProgress?.({ status: 'done', total, firstId, embedded });
  return { firstId, count: total, resumed, embedded };
}

/** sha256 over the model id and every passage (title, text, embedding bytes), each part length-prefixed. */
function fingerprintOf(modelId: string, rows: readonly PgIngestRow[]): string {
  const hash = createHash('sha256');
  const part = (bytes: Uint8Array) => {
    const n = new Uint8Array(4);
    new DataView(n.buffer).setUint32(0, bytes.length, true);
    hash.update(n).update(bytes);
  };
  const utf8 = (s: string) => part(Buffer.from(s, 'utf8'));
  utf8(modelId);
  utf8(String(rows.length));
  for (const r of rows) {
    utf8(r.title);
    utf8(r.text);
    part(r.embedding ? new Uint8Array(r.embedding.buffer, r.embedding.byteOffset, r.embedding.byteLength) : new Uint8Array(0));
  }
  return `sha256:${hash.digest('hex')}`;
}

