import { RagError } from '@rag-web/core';
import { ModelLoadError, TokenizerMismatchError } from '@rag-web/models';
import {
  EmbeddingDimensionError,
  EmbeddingModelError,
  EmptyKnowledgeBaseError,
  KnowledgeBaseFetchError,
  KnowledgeBaseStorageError,
  MalformedPassagesError,
  NonFiniteEmbeddingError,
  StorageQuotaError,
  UnknownPassageError,
} from '@rag-web/retriever';
import { MalformedResponseError, OriginNotAllowedError, RemoteUnavailableError, RequestLimitError } from '@rag-web/remote';
import type { EngineEnvironment, ModelInfo } from '../worker/engine.js';
import { h } from './elements.js';

/** What to do about an error, by its class (the worker's errors arrive rebuilt as these classes). */
function hintFor(err: unknown): string | undefined {
  if (err instanceof ModelLoadError) return 'Check the model URL: it must be a folder exported by tools/export_rag.py (config.json, tokenizers, onnx/) or one whose rag.json names its parts.';
  if (err instanceof TokenizerMismatchError) return 'The tokenizers in this folder do not belong to its model.';
  if (err instanceof EmbeddingDimensionError || err instanceof EmbeddingModelError)
    return 'This knowledge base (or retrieval server) was built with another encoder: pick another one, or add your documents to a new knowledge base.';
  if (err instanceof EmptyKnowledgeBaseError) return 'Add documents to this knowledge base first.';
  if (err instanceof MalformedPassagesError) return 'Each .jsonl line must be a {"title": …, "text": …} object.';
  if (err instanceof UnknownPassageError) return 'This passage was already replaced or deleted: look it up again.';
  if (err instanceof StorageQuotaError) return 'The browser refused to store more: delete a knowledge base and try again.';
  if (err instanceof KnowledgeBaseFetchError) return 'The knowledge-base files could not be downloaded: check the connection (or the URL) and reload.';
  if (err instanceof RemoteUnavailableError)
    return `Check the retrieval server: is rag serve running at that URL, started with --cors ${location.origin}? Clear the URL to retrieve in this browser.`;
  if (err instanceof OriginNotAllowedError) return `Start rag serve with --cors ${location.origin} so this page may call it.`;
  if (err instanceof MalformedResponseError) return 'That URL answers, but not as a rag serve retrieval server.';
  if (err instanceof RequestLimitError) return 'Ask for fewer passages (n_docs), or raise the server’s limit.';
  if (err instanceof NonFiniteEmbeddingError) return 'The encoder produced NaN or infinite embeddings: nothing was stored; try the WASM backend or another dtype.';
  if (err instanceof KnowledgeBaseStorageError) return 'Stored data looks damaged: delete this knowledge base (a bundled one comes back the next time its model loads).';
  return undefined;
}

/** The header: backend actually in use, adapter, isolation, offline readiness, warnings and the last error. */
export class StatusView {
  constructor(
    private readonly els: {
      backend: HTMLElement;
      adapter: HTMLElement;
      isolated: HTMLElement;
      offline: HTMLElement;
      warnings: HTMLUListElement;
      error: HTMLElement;
    },
  ) {}

  environment(env: EngineEnvironment): void {
    this.els.adapter.textContent = env.adapter ?? 'none (WebGPU unavailable here)';
    this.els.isolated.textContent = String(env.crossOriginIsolated);
  }

  backend(info: ModelInfo | undefined, device?: string): void {
    const el = this.els.backend;
    if (!info) {
      el.textContent = 'no model loaded';
      return;
    }
    const inUse = device ?? info.device;
    el.textContent = inUse;
    const fellBack = info.requestedDevice !== 'wasm' && inUse === 'wasm';
    el.title = `asked for ${info.requestedDevice}${fellBack ? ', running on WASM' : ''}`;
    el.dataset.state = fellBack && info.requestedDevice === 'webgpu' ? 'warn' : 'ok';
  }

  offline(text: string, state: 'ok' | 'warn'): void {
    this.els.offline.textContent = text;
    this.els.offline.dataset.state = state;
  }

  warn(message: string): void {
    this.els.warnings.append(h('li', { 'data-testid': 'warning' }, message));
  }

  clearWarnings(): void {
    this.els.warnings.replaceChildren();
  }

  error(err: unknown): void {
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    const hint = hintFor(err);
    this.els.error.hidden = false;
    this.els.error.dataset.errorName = name;
    this.els.error.replaceChildren(h('strong', {}, `${name}: `), message, ...(hint ? [h('span', { class: 'hint' }, ` ${hint}`)] : []));
    if (!(err instanceof RagError) && !(err instanceof DOMException)) console.error(err);
  }

  clearError(): void {
    this.els.error.hidden = true;
    this.els.error.replaceChildren();
  }
}
