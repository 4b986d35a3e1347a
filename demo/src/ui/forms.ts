import { isDeviceType } from '@rag-web/models';
import { DEFAULT_MODEL } from '../default-model.js';
import type { AddDocumentsRequest, AskRequest, DtypeChoice, FindPassagesRequest, LoadRequest, RetrievalRequest, Variant } from '../worker/engine.js';

/** Form values → engine requests. Numbers are checked again by the engine; this only reads. */

export function readLoadRequest(form: HTMLFormElement): LoadRequest {
  const data = new FormData(form);
  const device = String(data.get('device'));
  return {
    modelUrl: String(data.get('modelUrl') ?? '').trim(),
    device: isDeviceType(device) ? device : 'auto',
    dtype: dtypeChoice(String(data.get('dtype'))),
  };
}

function dtypeChoice(value: string): DtypeChoice {
  return value === 'q8' || value === 'fp32' ? value : 'auto';
}

/** The default model (default-model.ts), or `?model=…&device=…&dtype=…`, preset the model form, so a link can open a given setup. */
export function presetModelForm(form: HTMLFormElement, params: URLSearchParams): void {
  const fields: Array<[string, string, string | null]> = [
    ['model', 'modelUrl', DEFAULT_MODEL.modelUrl],
    ['device', 'device', null],
    ['dtype', 'dtype', DEFAULT_MODEL.dtype],
  ];
  for (const [param, name, fallback] of fields) {
    const value = params.get(param) ?? fallback;
    const field = form.elements.namedItem(name);
    if (value !== null && (field instanceof HTMLInputElement || field instanceof HTMLSelectElement)) field.value = value;
  }
}

export function readRetrievalRequest(form: HTMLFormElement): RetrievalRequest {
  return { url: String(new FormData(form).get('retrievalUrl') ?? '').trim() };
}

/** `?retrieval=<url>` presets the retrieval server, so a link can open the page retrieving from one. */
export function presetRetrievalForm(form: HTMLFormElement, params: URLSearchParams): void {
  const url = params.get('retrieval');
  if (url !== null) (form.elements.namedItem('retrievalUrl') as HTMLInputElement).value = url;
}

export function readAskRequest(form: HTMLFormElement, knowledgeBase: string): AskRequest {
  const data = new FormData(form);
  return {
    question: String(data.get('question') ?? ''),
    knowledgeBase,
    variant: (String(data.get('variant')) === 'sequence' ? 'sequence' : 'token') satisfies Variant,
    nDocs: Number(data.get('nDocs')),
    numBeams: Number(data.get('numBeams')),
    maxLength: Number(data.get('maxLength')),
    decoding: String(data.get('decoding')) === 'copy' ? 'copy' : 'free',
  };
}

export function readDocumentsRequest(form: HTMLFormElement): AddDocumentsRequest {
  const data = new FormData(form);
  const text = String(data.get('text') ?? '');
  const title = String(data.get('title') ?? '').trim() || 'Pasted text';
  const files = data.getAll('files').filter((f): f is File => f instanceof File && f.name !== '');
  return {
    knowledgeBase: String(data.get('target') ?? '').trim(),
    documents: text.trim() === '' ? [] : [{ title, text }],
    files,
  };
}

export function readFindPassagesRequest(form: HTMLFormElement): FindPassagesRequest {
  const data = new FormData(form);
  return { knowledgeBase: String(data.get('knowledgeBase') ?? '').trim(), title: String(data.get('title') ?? '') };
}
