import { docScoresRef, type DocDict, type RagConfig, type Retriever } from '@rag-web/core';
import type { DPRQuestionEncoder } from './dpr-encoder.js';
import { InvalidInputError } from './errors.js';
import type { RagTokenizer } from './tokenizer/rag-tokenizer.js';

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

/** Questions for `retrieve`: text (tokenized by the question-encoder tokenizer) or ids already. */
export type RagQuestions = string[] | { inputIds: number[][]; attentionMask?: number[][] };

export interface RagRetrieveOptions {
  nDocs?: number;
  /** Defaults to the generator's prefix, as transformers' `RagModel` retrieves. */
  prefix?: string | null;
  /** Overrides the model's retriever for this call (e.g. one knowledge base among several). */
  retriever?: Retriever;
}

/**
 * Retrieval with every intermediate, batch-major: what `RagModel.forward` computes before the
 * generator, plus the passages and context strings it formats (for display and parity checks).
 */
export interface RagRetrieval extends RagContexts {
  /** (B × L) question-encoder ids as encoded (padded to the longest question), and their mask. */
  questionInputIds: number[][];
  questionAttentionMask: number[][];
  /** (B × retrievalVectorSize) DPR pooled output, `question_encoder_last_hidden_state`. */
  questionPooled: Float32Array;
  /** (B × n) doc ids, best first. */
  retrievedDocIds: number[][];
  /** (B × n × retrievalVectorSize). */
  retrievedDocEmbeds: Float32Array;
  /** (B × n) the retrieved passages (id, title, text). */
  docDicts: DocDict[][];
  /** (B·n) `prefix + title + title_sep + text + doc_sep + question`, before tokenization. */
  contextStrings: string[];
}

/** What retrieval needs of the loaded components; the tokenizer only for questions given as text. */
export interface RetrievalComponents {
  config: RagConfig;
  questionEncoder: DPRQuestionEncoder;
  tokenizer?: RagTokenizer;
}

/**
 * The one retrieval path (`RagModel.forward`'s first branch): encode the questions, retrieve,
 * score the docs by `bmm(question_pooled, retrieved_doc_embeds)`, and format the contexts with
 * the generator's prefix. `RagModel.retrieve`, forward and generate all go through it.
 */
export async function retrieveContexts(
  questions: RagQuestions,
  components: RetrievalComponents,
  retriever: Retriever | undefined,
  options: Omit<RagRetrieveOptions, 'retriever'> = {},
): Promise<RagRetrieval> {
  const { config, questionEncoder } = components;
  const nDocs = checkedNDocs(options.nDocs ?? config.nDocs);
  if (!retriever) throw new InvalidInputError('questions were given but the model has no retriever: pass contextInputIds and docScores, or a retriever');
  const { inputIds, attentionMask } = encodedQuestions(questions, components.tokenizer);
  const batch = inputIds.length;
  if (batch === 0) throw new InvalidInputError('inputIds has no rows');
  const hidden = retriever.dimension;
  if (hidden !== questionEncoder.dimension) {
    throw new InvalidInputError(`the retriever's embeddings have ${hidden} dims but the question encoder gives ${questionEncoder.dimension}`);
  }
  const pooled = await questionEncoder.forward(inputIds, attentionMask);
  // transformers' RagModel retrieves with `prefix=self.generator.config.prefix`.
  const retrieved = await retriever.call(inputIds, pooled, { prefix: options.prefix ?? config.generator.prefix, nDocs });
  return {
    batch,
    nDocs,
    questionInputIds: inputIds,
    questionAttentionMask: attentionMask,
    questionPooled: pooled,
    retrievedDocIds: retrieved.docIds,
    retrievedDocEmbeds: retrieved.retrievedDocEmbeds,
    docDicts: retrieved.docDicts,
    docScores: docScoresRef(pooled, retrieved.retrievedDocEmbeds, { batch, nDocs, hidden }),
    contextStrings: retrieved.contextStrings,
    contextInputIds: retrieved.contextInputIds,
    contextAttentionMask: retrieved.contextAttentionMask,
  };
}

function encodedQuestions(questions: RagQuestions, tokenizer: RagTokenizer | undefined): { inputIds: number[][]; attentionMask: number[][] } {
  if (!Array.isArray(questions)) {
    return { inputIds: questions.inputIds, attentionMask: questions.attentionMask ?? questions.inputIds.map((row) => row.map(() => 1)) };
  }
  if (!tokenizer) throw new InvalidInputError('questions given as text need the question-encoder tokenizer');
  return tokenizer.encodeQuestions(questions);
}

function checkedNDocs(nDocs: number): number {
  if (!Number.isInteger(nDocs) || nDocs <= 0) throw new InvalidInputError(`nDocs must be a positive integer, got ${nDocs}`);
  return nDocs;
}

/**
 * The contexts of a forward or generate call: retrieved when given question ids (through
 * `retrieveContexts`), otherwise the given ones, validated.
 */
export async function resolveContexts(
  args: RagContextArgs,
  config: RagConfig,
  questionEncoder: DPRQuestionEncoder,
  retriever: Retriever | undefined,
): Promise<RagContexts> {
  const nDocs = checkedNDocs(args.nDocs ?? config.nDocs);
  if (args.contextInputIds === undefined) {
    if (!args.inputIds) throw new InvalidInputError('give either inputIds (with a retriever) or contextInputIds with docScores');
    const questions = { inputIds: args.inputIds, ...(args.attentionMask ? { attentionMask: args.attentionMask } : {}) };
    return retrieveContexts(questions, { config, questionEncoder }, retriever, { nDocs, prefix: args.prefix ?? null });
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
