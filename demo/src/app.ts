import { DEFAULT_MODEL } from './default-model.js';
import { AnswerView } from './ui/answer-view.js';
import { byId } from './ui/elements.js';
import { readAskRequest, readDocumentsRequest, readFindPassagesRequest, readLoadRequest, readRetrievalRequest } from './ui/forms.js';
import { KnowledgeBaseView } from './ui/knowledge-base-view.js';
import { ModelIntroView } from './ui/model-intro-view.js';
import { PassageEditorView } from './ui/passage-editor-view.js';
import { IngestProgressView, ModelProgressView } from './ui/progress-view.js';
import { RetrievalView } from './ui/retrieval-view.js';
import { StatusView } from './ui/status-view.js';
import type { ModelInfo, PassageRecord, RagEngine } from './worker/engine.js';

/**
 * The page's controller: reads the forms, calls the engine, hands results to the views. It never
 * touches a model or a knowledge base itself; all of that happens behind `RagEngine` (in a
 * worker). User timing marks (`rag:model-ready`, `rag:first-token`, `rag:first-answer`) time the
 * first answer from navigation start.
 */
export class DemoApp {
  private model: ModelInfo | undefined;
  /** The running load or question, which Stop aborts. */
  private running: AbortController | undefined;
  private answered = false;

  private readonly forms = {
    model: byId<HTMLFormElement>('model-form'),
    ask: byId<HTMLFormElement>('ask-form'),
    docs: byId<HTMLFormElement>('docs-form'),
    passages: byId<HTMLFormElement>('passage-form'),
    retrieval: byId<HTMLFormElement>('retrieval-form'),
  };
  private readonly buttons = {
    load: byId<HTMLButtonElement>('load'),
    ask: byId<HTMLButtonElement>('ask'),
    stop: byId<HTMLButtonElement>('stop'),
    addDocs: byId<HTMLButtonElement>('add-docs'),
    retrieval: byId<HTMLButtonElement>('retrieval-apply'),
  };
  readonly status = new StatusView({
    backend: byId('backend'),
    adapter: byId('adapter'),
    isolated: byId('isolated'),
    offline: byId('offline'),
    warnings: byId<HTMLUListElement>('warnings'),
    error: byId('error'),
  });
  private readonly modelProgress = new ModelProgressView(byId<HTMLProgressElement>('model-progress'), byId('model-progress-label'), byId('model-files'));
  private readonly ingestProgress = new IngestProgressView(byId<HTMLProgressElement>('ingest-progress'), byId('ingest-label'));
  private readonly retrieval = new RetrievalView({
    mode: byId('retrieval-mode'),
    detail: byId('retrieval-detail'),
    knowledgeBase: byId<HTMLSelectElement>('kb-select'),
    docsNote: byId('docs-remote-note'),
  });
  private readonly answer = new AnswerView(byId('answer'), byId('not-found'), byId('answer-source'), byId('answer-meta'), byId<HTMLOListElement>('passages'));
  private readonly intro = new ModelIntroView(
    DEFAULT_MODEL,
    byId('model-intro'),
    byId<HTMLFieldSetElement>('examples'),
    byId<HTMLInputElement>('question'),
    byId('model-description'),
    () => void this.ask(),
  );
  private readonly passageEditor = new PassageEditorView(byId('passage-status'), byId<HTMLOListElement>('passage-results'), {
    onSave: (kb, passage, text) => void this.savePassage(kb, passage, text),
    onDelete: (kb, passage) => void this.deletePassage(kb, passage),
  });
  private readonly knowledgeBases = new KnowledgeBaseView(byId('kb-rows') as HTMLTableSectionElement, byId<HTMLSelectElement>('kb-select'), byId('kb-names') as HTMLDataListElement, (name) => void this.deleteKnowledgeBase(name));

  constructor(private readonly engine: RagEngine) {
    this.forms.model.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.load();
    });
    this.forms.ask.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.ask();
    });
    this.forms.docs.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.addDocuments();
    });
    this.forms.passages.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.findPassages();
    });
    this.forms.retrieval.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.setRetrieval();
    });
    this.buttons.stop.addEventListener('click', () => this.running?.abort());
  }

  async start(): Promise<void> {
    this.engine.environment().then(
      (env) => this.status.environment(env),
      (err: unknown) => this.status.error(err),
    );
    await this.load();
    // A retrieval server preset by the URL (?retrieval=…) is connected once the model can be checked against it.
    if (this.model && readRetrievalRequest(this.forms.retrieval).url !== '') await this.setRetrieval();
  }

  async load(): Promise<void> {
    const request = readLoadRequest(this.forms.model);
    this.model = undefined;
    this.running = new AbortController();
    this.setBusy({ load: true, ask: true, stop: false, addDocs: true });
    this.status.clearError();
    this.status.clearWarnings();
    this.status.backend(undefined);
    this.modelProgress.reset(`Loading ${request.modelUrl}…`);
    this.intro.showFor(request.modelUrl);
    try {
      this.model = await this.engine.load(request, {
        signal: this.running.signal,
        onProgress: (info) => this.modelProgress.update(info),
        onWarning: (message) => this.status.warn(message),
      });
      performance.mark('rag:model-ready');
      const { device, dtype, loadMs, canEmbed } = this.model;
      this.modelProgress.finish(`Ready on ${device} (${dtype}) in ${(loadMs / 1000).toFixed(1)} s${canEmbed ? '' : ' · no context encoder'}`, 'ok');
      this.status.backend(this.model);
      field(this.forms.ask, 'nDocs').value = String(this.model.nDocs);
      field(this.forms.ask, 'decoding').value = this.model.modelUrl === DEFAULT_MODEL.modelUrl ? DEFAULT_MODEL.decoding : 'free';
      await this.refreshKnowledgeBases();
      // Adding documents and editing passages start from the knowledge base this model asks from.
      field(this.forms.docs, 'target').value = this.knowledgeBases.selected;
      field(this.forms.passages, 'knowledgeBase').value = this.knowledgeBases.selected;
    } catch (err) {
      this.modelProgress.finish(isAbort(err) ? 'Loading stopped.' : 'Loading failed.', 'error');
      this.status.backend(undefined);
      this.status.error(err);
    } finally {
      this.running = undefined;
      this.setBusy({ load: false, ask: !this.model, stop: true, addDocs: !this.model?.canEmbed });
    }
  }

  async ask(): Promise<void> {
    if (!this.model) return;
    const request = readAskRequest(this.forms.ask, this.knowledgeBases.selected);
    this.running = new AbortController();
    this.setBusy({ load: true, ask: true, stop: false, addDocs: true });
    this.status.clearError();
    this.answer.start(request.question.trim());
    let firstToken = !this.answered;
    try {
      const result = await this.engine.ask(request, {
        signal: this.running.signal,
        onRetrieved: (passages) => this.answer.showPassages(passages),
        onText: (text) => {
          if (firstToken) performance.mark('rag:first-token');
          firstToken = false;
          this.answer.setText(text);
        },
        onWarning: (message) => this.status.warn(message),
      });
      // The not-found threshold is measured for the default model; others answer without one.
      this.answer.finish(result, this.model.modelUrl === DEFAULT_MODEL.modelUrl ? DEFAULT_MODEL.notFoundBelow : undefined);
      this.status.backend(this.model, result.device);
      if (!this.answered) this.markFirstAnswer();
    } catch (err) {
      this.answer.fail(isAbort(err) ? 'Stopped.' : 'No answer.');
      this.status.error(err);
    } finally {
      this.running = undefined;
      this.setBusy({ load: false, ask: false, stop: true, addDocs: !this.model.canEmbed });
    }
  }

  /** Connects the retrieval server in the form (checked against the loaded model), or goes back to retrieving here when it is empty. */
  async setRetrieval(): Promise<void> {
    const request = readRetrievalRequest(this.forms.retrieval);
    this.running = new AbortController();
    this.setBusy({ load: true, ask: true, stop: false, addDocs: true, retrieval: true });
    this.status.clearError();
    this.retrieval.connecting(request.url);
    try {
      this.retrieval.show(await this.engine.setRetrieval(request, { signal: this.running.signal }));
    } catch (err) {
      // The engine keeps what it used before; so does the page.
      this.retrieval.show();
      this.status.error(err);
    } finally {
      this.running = undefined;
      this.setBusy({ load: false, ask: !this.model, stop: true, addDocs: !this.model?.canEmbed, retrieval: false });
    }
  }

  async addDocuments(): Promise<void> {
    const request = readDocumentsRequest(this.forms.docs);
    // Stored documents should outlive storage pressure: ask once the user stores some.
    void navigator.storage?.persist?.().catch(() => false);
    // Stop cancels a long ingest after the passages being embedded; what was stored is kept.
    this.running = new AbortController();
    this.setBusy({ load: true, ask: true, stop: false, addDocs: true });
    this.status.clearError();
    this.ingestProgress.start();
    try {
      const kb = await this.engine.addDocuments(request, { signal: this.running.signal, onProgress: (event) => this.ingestProgress.update(event) });
      this.forms.docs.reset();
      field(this.forms.docs, 'target').value = kb.name;
      // Ask from the knowledge base that just got the documents.
      await this.refreshKnowledgeBases(kb.name);
    } catch (err) {
      if (isAbort(err)) {
        this.ingestProgress.fail('Stopped: nothing was added yet; the passages embedded so far are kept, so adding the same documents again resumes.');
        await this.refreshKnowledgeBases();
      } else {
        this.ingestProgress.fail('Nothing was added.');
        this.status.error(err);
      }
    } finally {
      this.running = undefined;
      this.setBusy({ load: false, ask: !this.model, stop: true, addDocs: !this.model?.canEmbed });
    }
  }

  async deleteKnowledgeBase(name: string): Promise<void> {
    if (!confirm(`Delete the knowledge base "${name}" and all its passages?`)) return;
    try {
      await this.engine.deleteKnowledgeBase(name);
      await this.refreshKnowledgeBases();
    } catch (err) {
      this.status.error(err);
    }
  }

  async findPassages(): Promise<void> {
    const request = readFindPassagesRequest(this.forms.passages);
    this.status.clearError();
    this.passageEditor.message(`Looking up "${request.title.trim()}" in "${request.knowledgeBase}"…`);
    try {
      this.passageEditor.show(request.knowledgeBase, request.title, await this.engine.findPassages(request));
    } catch (err) {
      this.passageEditor.message('The lookup failed.');
      this.status.error(err);
    }
  }

  async savePassage(knowledgeBase: string, passage: PassageRecord, text: string): Promise<void> {
    this.status.clearError();
    this.passageEditor.busy(passage.docId, true);
    try {
      const saved = await this.engine.updatePassage({ knowledgeBase, docId: passage.docId, text });
      this.passageEditor.saved(knowledgeBase, passage.docId, saved);
    } catch (err) {
      this.passageEditor.busy(passage.docId, false);
      this.passageEditor.message(`"${passage.title}" was not saved.`);
      this.status.error(err);
    }
  }

  async deletePassage(knowledgeBase: string, passage: PassageRecord): Promise<void> {
    if (!confirm(`Delete the passage "${passage.title}" (doc ${passage.docId}) from "${knowledgeBase}"?`)) return;
    this.status.clearError();
    this.passageEditor.busy(passage.docId, true);
    try {
      await this.engine.deletePassage({ knowledgeBase, docId: passage.docId });
      this.passageEditor.deleted(passage);
      await this.refreshKnowledgeBases();
    } catch (err) {
      this.passageEditor.busy(passage.docId, false);
      this.status.error(err);
    }
  }

  private async refreshKnowledgeBases(prefer?: string): Promise<void> {
    this.knowledgeBases.render(await this.engine.listKnowledgeBases(), this.model, prefer);
    await showStorageEstimate(byId('storage-estimate'));
  }

  private markFirstAnswer(): void {
    this.answered = true;
    const mark = performance.mark('rag:first-answer');
    byId('first-answer').textContent = `${(mark.startTime / 1000).toFixed(1)} s`;
  }

  private setBusy(state: Partial<Record<keyof DemoApp['buttons'], boolean>>): void {
    for (const [name, disabled] of Object.entries(state)) this.buttons[name as keyof DemoApp['buttons']].disabled = disabled;
    this.intro.disabled = this.buttons.ask.disabled;
  }
}

function field(form: HTMLFormElement, name: string): HTMLInputElement | HTMLSelectElement {
  return form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** What this origin stores and may store (`navigator.storage.estimate()`), and whether it is kept under pressure. */
async function showStorageEstimate(el: HTMLElement): Promise<void> {
  if (!navigator.storage?.estimate) return;
  const [{ usage = 0, quota = 0 }, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? Promise.resolve(false)]);
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  el.textContent = `Storage: ${mb(usage)} used of ${mb(quota)} available to this page${persisted ? ', persistent' : ' (the browser may clear it under storage pressure)'}.`;
}
