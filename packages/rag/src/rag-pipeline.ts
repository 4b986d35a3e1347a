import type { ResolvedDevice } from '@rag-web/models';
import {
  InvalidInputError,
  RAG_GENERATE_ARG_KEYS,
  RagSequenceForGeneration,
  RagTokenForGeneration,
  checkGenerateArgs,
  type OptionKeys,
  type RagGenerateArgs,
  type RagModel,
  type RagRetrieval,
} from '@rag-web/models';
import { RagRetriever, type PassageSource } from '@rag-web/core';
import { KnowledgeBase, splitIntoPassages, type IngestEvent, type RawDocument } from '@rag-web/retriever';
import { encoderProbe } from './encoder-probe.js';
import { sourcesOf, type Source } from './sources.js';

/** `ask`'s options: transformers' `generate` keyword arguments (camelCased) plus streaming hooks. */
export interface AskOptions extends Omit<RagGenerateArgs, 'inputIds' | 'attentionMask' | 'contextInputIds' | 'contextAttentionMask' | 'docScores' | 'prefix'> {
  /**
   * Called with the answer so far after every step (RAG-Token: with beams, the best hypothesis so
   * far, which a later step may replace), and once with the final answer. RAG-Sequence picks its
   * answer only after scoring every candidate, so it calls this once, at the end.
   */
  onText?: (text: string) => void;
  /** Called with the retrieved passages before generation starts. */
  onSources?: (sources: Source[]) => void;
}

const { inputIds: _i, attentionMask: _a, contextInputIds: _c, contextAttentionMask: _m, docScores: _d, prefix: _p, ...generateKeys } = RAG_GENERATE_ARG_KEYS;
const ASK_OPTION_KEYS: OptionKeys<AskOptions> = { ...generateKeys, onText: true, onSources: true };

export interface AnswerTimings {
  retrieveMs: number;
  generateMs: number;
  totalMs: number;
}

export interface Answer {
  /** The best answer (the first returned sequence, decoded without special tokens). */
  text: string;
  /** Every returned sequence decoded (`numReturnSequences` of them). */
  texts: string[];
  /** The passages the answer was generated from, best first (transformers' `output_retrieved`). */
  sources: Source[];
  /** The backend that ran it (after any WebGPU → WASM fallback). */
  device: ResolvedDevice;
  timings: AnswerTimings;
  /** Every retrieval intermediate (question ids, pooled output, doc ids, embeddings, context ids). */
  retrieval: RagRetrieval;
  /** The generated ids, as `generate` returns them (decoder start token first). */
  sequences: number[][];
}

export interface AddOptions {
  /** DPR-style passages of this many words (default 100, as transformers' RAG examples). */
  wordsPerPassage?: number;
  signal?: AbortSignal;
  onProgress?: (event: IngestEvent) => void;
}

/**
 * A RAG model and the knowledge base it answers from, as `createRag` returns them. Calls run one
 * at a time (a question never races an ingest over the same store, and ONNX sessions are not
 * re-entrant).
 */
export class RagPipeline {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly retriever: RagRetriever;

  constructor(
    readonly model: RagModel,
    /** Where passages are retrieved from: usually a KnowledgeBase; `add` and `remove` need one. */
    readonly knowledgeBase: PassageSource,
    readonly variant: 'token' | 'sequence',
  ) {
    const { config, tokenizer } = model.components;
    this.retriever = new RagRetriever(knowledgeBase, config, { questionEncoder: tokenizer.questionEncoder, generator: tokenizer.generator });
  }

  get device(): ResolvedDevice {
    return this.model.device;
  }

  /** Retrieves `nDocs` passages for the question, then generates the answer from exactly those. */
  ask(question: string, options: AskOptions = {}): Promise<Answer> {
    return this.exclusive(options.signal, async () => {
      if (typeof question !== 'string' || question.trim() === '') throw new InvalidInputError('ask: the question is empty');
      checkGenerateArgs('ask', options, ASK_OPTION_KEYS);
      const started = performance.now();
      const { onText, onSources, nDocs: askedDocs, ...generateArgs } = options;
      const nDocs = askedDocs ?? this.model.config.nDocs;
      const retrieval = await this.model.retrieve([question.trim()], { nDocs, retriever: this.retriever });
      const sources = sourcesOf(retrieval.docDicts[0]!, retrieval.docScores);
      onSources?.(sources);
      const retrieved = performance.now();

      const { tokenizer } = this.model.components;
      const decode = (ids: number[][]) => tokenizer.batchDecode(ids, { skipSpecialTokens: true });
      const args: RagGenerateArgs = {
        ...generateArgs,
        contextInputIds: retrieval.contextInputIds,
        contextAttentionMask: retrieval.contextAttentionMask,
        docScores: retrieval.docScores,
        nDocs,
      };
      const sequences =
        this.variant === 'sequence'
          ? await new RagSequenceForGeneration(this.model).generate(args)
          : await new RagTokenForGeneration(this.model).generate({
              ...args,
              ...(onText ? { onBestSequences: ([best]: number[][]) => onText(decode([best!])[0]!) } : {}),
            });
      const texts = decode(sequences);
      onText?.(texts[0] ?? '');
      const done = performance.now();
      return {
        text: texts[0] ?? '',
        texts,
        sources,
        device: this.model.device,
        timings: { retrieveMs: retrieved - started, generateMs: done - retrieved, totalMs: done - started },
        retrieval,
        sequences,
      };
    });
  }

  /**
   * Splits documents into passages, embeds them with the model's context encoder and stores them.
   * Returns the new passages' doc ids.
   */
  add(documents: RawDocument[], options: AddOptions = {}): Promise<number[]> {
    return this.exclusive(options.signal, async () => {
      const kb = this.storedHere('add');
      const embedder = this.model.components.contextEncoder;
      if (!embedder) throw new InvalidInputError('add: this model has no context encoder (export it with --ctx-encoder), so it cannot embed documents');
      const passages = splitIntoPassages(documents, options.wordsPerPassage);
      if (passages.length === 0) throw new InvalidInputError('add: the documents hold no text');
      const { firstId, count } = await kb.ingest(
        { passages },
        {
          embedder,
          encoderProbe: await encoderProbe(this.model),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        },
      );
      return Array.from({ length: count }, (_, i) => firstId + i);
    });
  }

  /** Removes passages by doc id (ids are never reused). */
  remove(ids: number[]): Promise<void> {
    return this.exclusive(undefined, () => this.storedHere('remove').remove(ids));
  }

  /** The knowledge base that `add` and `remove` change: one stored here, not a server's. */
  private storedHere(what: string): KnowledgeBase {
    if (this.knowledgeBase instanceof KnowledgeBase) return this.knowledgeBase;
    throw new InvalidInputError(
      `${what}: this pipeline retrieves from "${this.knowledgeBase.name}", which is not stored here (a retrieval server or a database); change its passages where it lives (rag index --kb …)`,
      { knowledgeBase: this.knowledgeBase.name },
    );
  }

  /** Releases the ONNX sessions and closes the knowledge base. */
  dispose(): Promise<void> {
    return this.exclusive(undefined, async () => {
      try {
        await this.model.dispose();
      } finally {
        await (this.knowledgeBase as Partial<{ close(): Promise<void> }>).close?.();
      }
    });
  }

  private exclusive<T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      signal?.throwIfAborted();
      return task();
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
