import { ShapeError } from '../errors.js';
import type { DocDict, PassageSource, Retriever, RetrievedDocs, RetrieverOutput, TextTokenizer } from './contracts.js';
import { EmbeddingDimensionError } from './errors.js';

/**
 * The RagConfig fields retrieval reads (camelCase of `title_sep`, `doc_sep`, `n_docs`,
 * `max_combined_length`, `retrieval_batch_size`, `retrieval_vector_size`, and
 * `generator.prefix`); core's RagConfig is structurally compatible.
 */
export interface RagRetrieverConfig {
  titleSep: string;
  docSep: string;
  nDocs: number;
  maxCombinedLength: number;
  retrievalBatchSize: number;
  retrievalVectorSize: number;
  /** The generator's prefix, the default of `call` (not the RAG-level `prefix`, which transformers never reads here). */
  generator: { prefix: string | null };
}

export interface RagRetrieverTokenizers {
  /** Decodes question ids back to text (DPR question-encoder tokenizer). */
  questionEncoder: TextTokenizer;
  /** Tokenizes the contexts (BART generator tokenizer). */
  generator: TextTokenizer;
}

export interface PostprocessedDocs {
  contextInputIds: number[][];
  contextAttentionMask: number[][];
  contextStrings: string[];
}

/**
 * transformers' `RagRetriever.postprocess_docs` formatting of one context: one leading and one
 * trailing `"` stripped from the title, then `prefix + title + titleSep + text + docSep +
 * question`, then every "  " replaced by " " in one left-to-right pass (as Python's
 * `str.replace`, so three spaces become two).
 */
export function formatContext(title: string, text: string, question: string, prefix: string | null, titleSep: string, docSep: string): string {
  let t = title.startsWith('"') ? title.slice(1) : title;
  t = t.endsWith('"') ? t.slice(0, -1) : t;
  return ((prefix ?? '') + t + titleSep + text + docSep + question).replaceAll('  ', ' ');
}

/**
 * The port of `transformers.RagRetriever` over any PassageSource: maximum-inner-product retrieval
 * in chunks of `retrievalBatchSize` questions (`_main_retrieve`), doc dicts and embeddings of the
 * hits (`retrieve`), and context strings tokenized by the generator tokenizer, truncated and padded
 * to `maxCombinedLength` (`postprocess_docs`, `__call__`).
 */
export class RagRetriever implements Retriever {
  constructor(
    readonly source: PassageSource,
    readonly config: RagRetrieverConfig,
    readonly tokenizers: RagRetrieverTokenizers,
  ) {
    if (config.retrievalVectorSize !== source.dimension) {
      throw new EmbeddingDimensionError(source.dimension, config.retrievalVectorSize, `retrieval_vector_size of the RAG config for "${source.name}"`);
    }
  }

  get dimension(): number {
    return this.source.dimension;
  }

  size(): Promise<number> {
    return this.source.count();
  }

  async retrieve(questionHiddenStates: Float32Array, nDocs: number): Promise<RetrievedDocs> {
    const d = this.dimension;
    if (questionHiddenStates.length === 0 || questionHiddenStates.length % d !== 0) {
      throw new ShapeError(`retrieve: question hidden states hold ${questionHiddenStates.length} values, not a positive multiple of ${d}`, {
        length: questionHiddenStates.length,
        dimension: d,
      });
    }
    if (!Number.isInteger(nDocs) || nDocs < 1) throw new ShapeError(`retrieve: nDocs must be a positive integer, got ${nDocs}`, { nDocs });

    const batch = questionHiddenStates.length / d;
    const retrievedDocEmbeds = new Float32Array(batch * nDocs * d);
    const docIds: number[][] = [];
    const docDicts: DocDict[][] = [];
    const step = this.config.retrievalBatchSize;
    for (let b0 = 0; b0 < batch; b0 += step) {
      const m = Math.min(step, batch - b0);
      const { passages } = await this.source.topPassages(questionHiddenStates.subarray(b0 * d, (b0 + m) * d), nDocs);
      for (let i = 0; i < m; i++) {
        const row = passages.slice(i * nDocs, (i + 1) * nDocs);
        docIds.push(row.map((p) => p.id));
        docDicts.push(row.map(({ id, title, text }) => ({ id, title, text })));
        row.forEach((p, z) => retrievedDocEmbeds.set(p.embedding, ((b0 + i) * nDocs + z) * d));
      }
    }
    return { retrievedDocEmbeds, docIds, docDicts };
  }

  /** `postprocess_docs`: batch·nDocs context strings and their generator ids, batch-major. */
  postprocessDocs(docs: DocDict[][], inputStrings: string[], prefix: string | null, nDocs: number): PostprocessedDocs {
    if (docs.length !== inputStrings.length) {
      throw new ShapeError(`postprocessDocs: ${docs.length} doc lists for ${inputStrings.length} questions`, { docs: docs.length, questions: inputStrings.length });
    }
    const { titleSep, docSep, maxCombinedLength } = this.config;
    const contextStrings = docs.flatMap((row, i) => {
      if (row.length < nDocs) throw new ShapeError(`postprocessDocs: question ${i} has ${row.length} docs, expected ${nDocs}`, { row: i });
      return row.slice(0, nDocs).map((doc) => formatContext(doc.title, doc.text, inputStrings[i]!, prefix, titleSep, docSep));
    });
    const enc = this.tokenizers.generator.encodeBatch(contextStrings, { maxLength: maxCombinedLength, padding: 'max_length', truncation: true });
    return { contextInputIds: enc.inputIds, contextAttentionMask: enc.attentionMask, contextStrings };
  }

  /**
   * `__call__`: retrieval, question ids decoded (special tokens skipped), contexts formatted.
   * Without a prefix, the generator's (`self.config.generator.prefix`, as transformers).
   */
  async call(questionInputIds: number[][], questionHiddenStates: Float32Array, options: { prefix?: string | null; nDocs?: number } = {}): Promise<RetrieverOutput> {
    const nDocs = options.nDocs ?? this.config.nDocs;
    const prefix = options.prefix ?? this.config.generator.prefix;
    const batch = questionHiddenStates.length / this.dimension;
    if (questionInputIds.length !== batch) {
      throw new ShapeError(`call: ${questionInputIds.length} question id rows for ${batch} hidden-state rows`, { ids: questionInputIds.length, batch });
    }
    const { retrievedDocEmbeds, docIds, docDicts } = await this.retrieve(questionHiddenStates, nDocs);
    const inputStrings = this.tokenizers.questionEncoder.batchDecode(questionInputIds, { skipSpecialTokens: true });
    const { contextInputIds, contextAttentionMask, contextStrings } = this.postprocessDocs(docDicts, inputStrings, prefix, nDocs);
    return { contextInputIds, contextAttentionMask, retrievedDocEmbeds, docIds, docDicts, contextStrings };
  }
}
