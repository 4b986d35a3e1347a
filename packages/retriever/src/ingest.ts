import { RagConfigError, assertFiniteEmbeddings, checkModelId, embeddingsOf, type Embedder, type IngestEvent, type StoredPassage } from '@rag-web/core';
import { EMPTY_CHECKSUM, checksumOf, passageChecksum, xorChecksums } from './checksum.js';
import { EmbeddingDimensionError, KnowledgeBaseCorruptError } from './errors.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { parsePassagesJson, parsePassagesJsonl, type PassageInput } from './passage-input.js';
import { splitIntoPassages, type RawDocument } from './passage-splitter.js';

export type IngestSource =
  | { jsonl: string }
  | { json: string | unknown[] }
  | { passages: PassageInput[] }
  /** Raw documents, split DPR-style into `wordsPerPassage`-word passages (default 100). */
  | { documents: RawDocument[]; wordsPerPassage?: number };


export interface IngestOptions {
  /** Computes embeddings for passages that come without them (the DPR context encoder). */
  embedder?: Embedder;
  /** Model id to record when every passage comes with its embedding (default: the manifest's). */
  modelId?: string;
  /** Passages per embedder call and per storage transaction. */
  batchSize?: number;
  onProgress?: (event: IngestEvent) => void;
  /** Aborting stops after the current batch; what was stored is kept and a later call resumes. */
  signal?: AbortSignal;
  /** The model's question encoding of ENCODER_PROBE_QUESTION (core), to record with the passages. */
  encoderProbe?: Float32Array;
}

export interface IngestResult {
  /** Doc id of the first new passage; the others follow consecutively. */
  firstId: number;
  count: number;
  /** Passages found already stored by an interrupted earlier call with the same input. */
  resumed: number;
  /** Passages that went through the embedder in this call. */
  embedded: number;
}

export function passagesOf(source: IngestSource): PassageInput[] {
  if ('jsonl' in source) return parsePassagesJsonl(source.jsonl);
  if ('json' in source) return parsePassagesJson(source.json);
  if ('documents' in source) return splitIntoPassages(source.documents, source.wordsPerPassage ?? 100);
  return source.passages;
}

/**
 * Adds passages to a knowledge base: parse and check everything first (nothing is written for bad
 * input), then per batch embed what lacks an embedding and store the batch with a checkpoint in one
 * transaction, then index and commit (index blob, manifest last). An interrupted ingest (abort,
 * crash, closed page, failed write) leaves the previous manifest valid; calling again with the
 * same input skips the stored batches without embedding them again. New doc ids start at the
 * manifest's `nextId` and follow the input order.
 */
export async function ingest(kb: KnowledgeBase, source: IngestSource, options: IngestOptions = {}): Promise<IngestResult> {
  const { embedder, onProgress, signal } = options;
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RagConfigError(`ingest: batchSize must be a positive integer, got ${batchSize}`);
  const rows = passagesOf(source);
  const store = kb.store;
  const d = kb.dimension;
  const total = rows.length;
  const firstId = store.manifest.nextId;
  onProgress?.({ status: 'parsed', total });

  rows.forEach((r, i) => {
    if (r.embedding && r.embedding.length !== d) throw new EmbeddingDimensionError(d, r.embedding.length, `passage ${i + 1} of the input`);
    if (r.embedding) assertFiniteEmbeddings(r.embedding, d, 'the input', i + 1);
  });
  const missing = rows.some((r) => !r.embedding);
  if (missing && !embedder) throw new RagConfigError('ingest: some passages come without embeddings and no embedder was given');
  if (embedder && embedder.dimension !== d) throw new EmbeddingDimensionError(d, embedder.dimension, `embedder "${embedder.modelId}"`);
  const given = (missing ? embedder?.modelId : options.modelId) ?? store.manifest.modelId;
  const modelId = store.count > 0 ? checkModelId(store.manifest, given, options.encoderProbe) : given;
  if (total === 0) return { firstId, count: 0, resumed: 0, embedded: 0 };

  const fingerprint = checksumOf([modelId, total, ...rows.flatMap((r) => [r.title, r.text, r.embedding ? bytesOf(r.embedding) : ''])]);
  const checkpoint = await store.readCheckpoint();
  let done = 0;
  let checksum = EMPTY_CHECKSUM;
  if (checkpoint && checkpoint.fingerprint === fingerprint && checkpoint.startId === firstId && checkpoint.total === total) {
    done = checkpoint.done;
    checksum = checkpoint.checksum;
    onProgress?.({ status: 'resumed', done, total });
  }
  const resumed = done;
  let fresh = done === 0;
  let embedded = 0;

  while (done < total) {
    signal?.throwIfAborted();
    const batch = rows.slice(done, done + batchSize);
    const vectors = await embeddingsOf(batch, d, embedder, signal);
    embedded += batch.filter((r) => !r.embedding).length;
    const stored: StoredPassage[] = batch.map((r, j) => ({ id: firstId + done + j, title: r.title, text: r.text, embedding: vectors[j]! }));
    for (const p of stored) checksum = xorChecksums(checksum, passageChecksum(p.id, p.title, p.text, p.embedding));
    done += batch.length;
    await store.writeBatch(stored, { fingerprint, modelId, startId: firstId, total, done, checksum }, fresh);
    fresh = false;
    onProgress?.({ status: 'progress', done, total, embedded });
  }
  signal?.throwIfAborted();

  onProgress?.({ status: 'indexing', total });
  await kb.applyAndCommit(
    async (index) => {
      for (let from = firstId; from < firstId + total; from += 2048) {
        const chunk = await store.pendingPassages(from, Math.min(from + 2048, firstId + total));
        if (chunk.length !== Math.min(2048, firstId + total - from)) throw new KnowledgeBaseCorruptError(`Passages ${from}… of an ingest went missing from storage before the commit.`, { from });
        const flat = new Float32Array(chunk.length * d);
        chunk.forEach((p, j) => flat.set(p.embedding, j * d));
        index.add(
          chunk.map((p) => p.id),
          flat,
        );
      }
    },
    {
      nextId: firstId + total,
      addedChecksum: checksum,
      modelId,
      clearCheckpoint: true,
      checkpointFingerprint: fingerprint,
      ...(options.encoderProbe ? { encoderProbe: Array.from(options.encoderProbe) } : {}),
    },
  );
  onProgress?.({ status: 'done', total, firstId, embedded });
  return { firstId, count: total, resumed, embedded };
}


function bytesOf(v: Float32Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}
