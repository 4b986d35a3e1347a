import { EmbeddingDimensionError, hasWebGpuApi, type PassageSource } from '@rag-web/core';
import { isSoftwareAdapter, ModelFileNotFoundError, RagTokenForGeneration, type DPRContextEncoder, type RagFromPretrainedOptions } from '@rag-web/models';
import { defaultDtype } from '@rag-web/rag';
import { RemoteRetriever } from '@rag-web/remote';
import { answerQuestion } from './answer.js';
import { passagesOf } from './documents.js';
import type {
  AddDocumentsRequest,
  AskHooks,
  AskRequest,
  AskResult,
  EngineEnvironment,
  FindPassagesRequest,
  FindPassagesResult,
  IngestHooks,
  KnowledgeBaseSummary,
  LoadHooks,
  LoadRequest,
  ModelInfo,
  PassageOrigin,
  PassageRecord,
  PassageRef,
  RagEngine,
  RetrievalInfo,
  RetrievalRequest,
  UpdatePassageRequest,
} from './engine.js';
import { DemoInputError } from './errors.js';
import { KnowledgeBaseCatalog } from './knowledge-bases.js';
import { findPassages, replacePassage } from './passages.js';

/** How long a retrieval server may take to answer `/health` before the connect fails (rather than hangs). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The engine where the work happens (a Web Worker in the demo): one model at a time, the
 * knowledge bases in IndexedDB. Calls that run ONNX sessions or write knowledge bases go one at
 * a time through a queue, so an ingest never races a question over the same store.
 */
export class LocalRagEngine implements RagEngine {
  private model: RagTokenForGeneration | undefined;
  private info: ModelInfo | undefined;
  private readonly knowledgeBases = new KnowledgeBaseCatalog();
  /** The retrieval server questions retrieve from, if one is set; else the knowledge bases here. */
  private remote: RemoteRetriever | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The running call's warning hook: the model warns (WebGPU → WASM) during load or generate. */
  private warn: ((message: string) => void) | undefined;

  async environment(): Promise<EngineEnvironment> {
    const adapter = hasWebGpuApi() ? await navigator.gpu.requestAdapter() : null;
    return {
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      // A software adapter is why `auto` runs on WASM although WebGPU is there.
      adapter: adapter ? `${adapter.info.vendor} / ${adapter.info.architecture}${isSoftwareAdapter(adapter) ? ' (software)' : ''}` : null,
    };
  }

  load(request: LoadRequest, hooks: LoadHooks = {}): Promise<ModelInfo> {
    return this.exclusive(hooks, async () => {
      const started = performance.now();
      const previous = this.model;
      this.model = undefined;
      this.info = undefined;
      await previous?.dispose();
      const dtype = request.dtype === 'auto' ? await defaultDtype(request.device) : request.dtype;
      const options: RagFromPretrainedOptions = {
        device: request.device,
        dtype,
        loadContextEncoder: true,
        onWarning: (w) => this.warn?.(w.message),
        ...(hooks.onProgress ? { progressCallback: hooks.onProgress } : {}),
        ...(hooks.signal ? { signal: hooks.signal } : {}),
      };
      let model: RagTokenForGeneration;
      try {
        model = await RagTokenForGeneration.fromPretrained(request.modelUrl, options);
      } catch (err) {
        // A checkpoint exported without --ctx-encoder still answers; it just cannot embed documents.
        if (!(err instanceof ModelFileNotFoundError && err.details.part === 'ctx_encoder')) throw err;
        hooks.onWarning?.(`${request.modelUrl} has no context encoder (${err.message}); adding documents is off.`);
        model = await RagTokenForGeneration.fromPretrained(request.modelUrl, { ...options, loadContextEncoder: false });
      }
      await this.knowledgeBases.seedBundled(request.modelUrl, hooks.signal);
      const { config, generationConfig, contextEncoder, embeddingModelId } = model.rag.components;
      this.model = model;
      this.info = {
        modelUrl: request.modelUrl,
        ...(embeddingModelId ? { embeddingModelId } : {}),
        requestedDevice: request.device,
        device: model.rag.device,
        dtype,
        nDocs: config.nDocs,
        dimension: config.retrievalVectorSize,
        maxLength: generationConfig.maxLength,
        canEmbed: contextEncoder !== undefined,
        loadMs: performance.now() - started,
      };
      return this.info;
    });
  }

  setRetrieval(request: RetrievalRequest, hooks: { signal?: AbortSignal } = {}): Promise<RetrievalInfo> {
    return this.exclusive(hooks, async () => {
      const url = request.url.trim();
      if (url === '') {
        this.remote = undefined;
        return { mode: 'local' };
      }
      const retriever = await RemoteRetriever.connect(url, { timeoutMs: CONNECT_TIMEOUT_MS, ...(hooks.signal ? { signal: hooks.signal } : {}) });
      // Refused now rather than at the first question: a server of another width cannot serve this model.
      const width = this.info?.dimension;
      if (width !== undefined && retriever.dimension !== width) {
        throw new EmbeddingDimensionError(retriever.dimension, width, `retrieval_vector_size of the loaded model (${this.info!.modelUrl}), against the retrieval server at ${retriever.url}`);
      }
      const count = await retriever.count();
      this.remote = retriever;
      return { mode: 'remote', url: retriever.url, name: retriever.name, count, dimension: retriever.dimension };
    });
  }

  ask(request: AskRequest, hooks: AskHooks = {}): Promise<AskResult> {
    return this.exclusive(hooks, async () => {
      const model = this.loaded();
      const [source, retrievedFrom]: [PassageSource, PassageOrigin] = this.remote
        ? [this.remote, { mode: 'remote', name: this.remote.name, url: this.remote.url }]
        : [await this.knowledgeBases.get(request.knowledgeBase), { mode: 'local', name: request.knowledgeBase }];
      return { ...(await answerQuestion(model, source, request, hooks)), retrievedFrom };
    });
  }

  addDocuments(request: AddDocumentsRequest, hooks: IngestHooks = {}): Promise<KnowledgeBaseSummary> {
    return this.exclusive(hooks, async () => {
      const encoder = this.contextEncoder();
      const passages = await passagesOf(request);
      const name = request.knowledgeBase.trim();
      const kb = await this.knowledgeBases.getOrCreate(name, encoder.dimension, encoder.modelId);
      await kb.ingest(
        { passages },
        { embedder: encoder, batchSize: 16, ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) },
      );
      const summary = (await this.knowledgeBases.list()).find((s) => s.name === name);
      if (!summary) throw new DemoInputError(`Knowledge base "${name}" disappeared while adding documents.`, { name });
      return summary;
    });
  }

  listKnowledgeBases(): Promise<KnowledgeBaseSummary[]> {
    return this.knowledgeBases.list();
  }

  deleteKnowledgeBase(name: string): Promise<void> {
    return this.exclusive({}, () => this.knowledgeBases.delete(name));
  }

  findPassages(request: FindPassagesRequest): Promise<FindPassagesResult> {
    return this.exclusive({}, async () => findPassages(await this.knowledgeBases.get(request.knowledgeBase), request.title, request.limit));
  }

  updatePassage(request: UpdatePassageRequest): Promise<PassageRecord> {
    return this.exclusive({}, async () => replacePassage(await this.knowledgeBases.get(request.knowledgeBase), request.docId, request.text, this.contextEncoder()));
  }

  deletePassage(request: PassageRef): Promise<void> {
    return this.exclusive({}, async () => (await this.knowledgeBases.get(request.knowledgeBase)).remove([request.docId]));
  }

  private contextEncoder(): DPRContextEncoder {
    const encoder = this.loaded().rag.components.contextEncoder;
    if (!encoder) throw new DemoInputError('This model has no context encoder, so it cannot embed documents.');
    return encoder;
  }

  private loaded(): RagTokenForGeneration {
    if (!this.model) throw new DemoInputError('No model is loaded yet: load one first.');
    return this.model;
  }

  /** Runs `task` after every earlier call has settled, with this call's warning hook installed. */
  private exclusive<T>(hooks: { signal?: AbortSignal; onWarning?: (message: string) => void }, task: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      hooks.signal?.throwIfAborted();
      this.warn = hooks.onWarning;
      try {
        return await task();
      } finally {
        this.warn = undefined;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
