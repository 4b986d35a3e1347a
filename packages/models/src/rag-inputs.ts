import { docScoresRef, type RagConfig, type Retriever } from '@rag-web/core';
import type { DPRQuestionEncoder } from './dpr-encoder.js';
import { InvalidInputError } from './errors.js';

/** What the RAG classes accept, as in transformers: question ids with a retriever, or contexts directly. */
export interface RagContextArgs {
  /** (B × L) question-encoder ids; needs a retriever. */
  inputIds?: number[][];
  attentionMask?: number[][];
  /** (B·n × S) generator ids of `title / text // question`, with `docScores`. */
  contextInputIds?: number[][];
  contextAttentionMask?: number[][];
  /** (B × n) doc scores, row-major or as rows. */
  docScores?: Float32Array | number[][];
  nDocs?: number;
  prefix?: string | null;
}

/** The contexts the generator reads, however they were obtained. */
export interface RagContexts {
  batch: number;
  nDocs: number;
  contextInputIds: number[][];
  contextAttentionMask: number[][];
  /** (B × n). */
  docScores: Float32Array;
  retrievedDocEmbeds?: Float32Array;
  retrievedDocIds?: number[][];
  questionPooled?: Float32Array;
}

/**
 * Retrieval when given question ids (`RagModel.forward`'s first branch: encode the question,
 * retrieve, score docs by inner product), otherwise validation of the given contexts.
 */
export async function resolveContexts(
  args: RagContextArgs,
  config: RagConfig,
  questionEncoder: DPRQuestionEncoder,
  retriever: Retriever | undefined,
): Promise<RagContexts> {
  const nDocs = args.nDocs ?? config.nDocs;
  if (!Number.isInteger(nDocs) || nDocs <= 0) throw new InvalidInputError(`nDocs must be a positive integer, got ${nDocs}`);
  if (args.contextInputIds === undefined) {
    if (!args.inputIds) throw new InvalidInputError('give either inputIds (with a retriever) or contextInputIds with docScores');
    if (!retriever) throw new InvalidInputError('inputIds were given but the model has no retriever: pass contextInputIds and docScores, or a retriever');
    const batch = args.inputIds.length;
    if (batch === 0) throw new InvalidInputError('inputIds has no rows');
    const mask = args.attentionMask ?? args.inputIds.map((row) => row.map(() => 1));
    const pooled = await questionEncoder.forward(args.inputIds, mask);
    // transformers' RagModel retrieves with `prefix=self.generator.config.prefix`.
    const retrieved = await retriever.call(args.inputIds, pooled, { prefix: args.prefix ?? config.generator.prefix, nDocs });
    const hidden = retriever.dimension;
    if (hidden !== questionEncoder.dimension) {
      throw new InvalidInputError(`the retriever's embeddings have ${hidden} dims but the question encoder gives ${questionEncoder.dimension}`);
    }
    return {
      batch,
      nDocs,
      contextInputIds: retrieved.contextInputIds,
      contextAttentionMask: retrieved.contextAttentionMask,
      docScores: docScoresRef(pooled, retrieved.retrievedDocEmbeds, { batch, nDocs, hidden }),
      retrievedDocEmbeds: retrieved.retrievedDocEmbeds,
      retrievedDocIds: retrieved.docIds,
      questionPooled: pooled,
    };
  }
  if (args.docScores === undefined) throw new InvalidInputError('contextInputIds were given without docScores');
  const docScores = args.docScores instanceof Float32Array ? args.docScores : Float32Array.from(args.docScores.flat());
  const rows = args.contextInputIds.length;
  if (docScores.length % nDocs !== 0 || docScores.length === 0) {
    throw new InvalidInputError(`docScores has ${docScores.length} values, not a multiple of nDocs = ${nDocs}`);
  }
  const batch = docScores.length / nDocs;
  if (rows !== batch * nDocs) {
    throw new InvalidInputError(
      `contextInputIds has ${rows} rows but batch × nDocs = ${batch} × ${nDocs} = ${batch * nDocs}: nDocs does not match the contexts`,
      { rows, batch, nDocs },
    );
  }
  const mask = args.contextAttentionMask ?? args.contextInputIds.map((row) => row.map(() => 1));
  if (mask.length !== rows || mask.some((m, i) => m.length !== args.contextInputIds![i]!.length)) {
    throw new InvalidInputError('contextAttentionMask does not have the shape of contextInputIds');
  }
  return { batch, nDocs, contextInputIds: args.contextInputIds, contextAttentionMask: mask, docScores };
}

/** `tensor.repeat_interleave(n, dim=0)` on rows. */
export function repeatInterleave<T>(rows: T[], n: number): T[] {
  return rows.flatMap((row) => Array.from({ length: n }, () => row));
}
