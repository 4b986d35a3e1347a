import { ModelLoadError } from '../errors.js';

/**
 * Where a model's files come from. `fromPretrained` accepts:
 * - a URL (`https://…/my-model`, or `/models/x` relative to the page) — files at `${url}/${path}`;
 * - a hub-style id (`facebook/rag-token-nq`) — files at `${host}/${id}/resolve/${revision}/${path}`;
 * - in Node, a local folder path (`./fixtures/tiny-a/model`, `/abs/path`);
 * - already-fetched bytes (`{ files: { 'config.json': Uint8Array, … } }`).
 */
export type ModelSource =
  | { kind: 'url'; base: string }
  | { kind: 'local'; dir: string }
  /** `dir`: the folder of these files within `files` ('' or `generator/` for a rag.json part). */
  | { kind: 'bytes'; files: Record<string, Uint8Array>; dir: string };

export interface HubOptions {
  /** Hub host for ids; default https://huggingface.co. */
  host?: string;
  revision?: string;
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
}

export function resolveModelSource(model: string | { files: Record<string, Uint8Array> }, options: HubOptions = {}): ModelSource {
  if (typeof model !== 'string') return { kind: 'bytes', files: model.files, dir: '' };
  if (model.trim() === '') throw new ModelLoadError('fromPretrained: the model id or URL is empty');
  if (/^https?:\/\//.test(model)) return { kind: 'url', base: model.replace(/\/+$/, '') };
  if (isNode() && (model.startsWith('/') || model.startsWith('./') || model.startsWith('../') || model.startsWith('file:'))) {
    return { kind: 'local', dir: model.startsWith('file:') ? new URL(model).pathname : model };
  }
  if (model.startsWith('/') || model.startsWith('./') || model.startsWith('../')) {
    return { kind: 'url', base: new URL(model, globalThis.location?.href).href.replace(/\/+$/, '') };
  }
  if (HUB_ID.test(model)) {
    const host = (options.host ?? 'https://huggingface.co').replace(/\/+$/, '');
    return { kind: 'url', base: `${host}/${model}/resolve/${encodeURIComponent(options.revision ?? 'main')}` };
  }
  if (isNode()) return { kind: 'local', dir: model };
  throw new ModelLoadError(`fromPretrained: "${model}" is neither a URL nor a hub id (owner/name)`);
}

/** A display/cache key for a file of a source. */
export function fileKey(source: ModelSource, path: string): string {
  switch (source.kind) {
    case 'url':
      return `${source.base}/${path}`;
    case 'local':
      return `file://${source.dir}/${path}`;
    case 'bytes':
      return `bytes:${source.dir}${path}`;
  }
}
