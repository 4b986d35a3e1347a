import type { RetrievalInfo } from '../worker/engine.js';

/**
 * Where questions retrieve from: the header's badge (`local` / `remote`) and its detail line,
 * the knowledge-base select (which questions do not use while a server retrieves) and the note
 * under "Add your documents" (added documents stay in this browser).
 */
export class RetrievalView {
  private current: RetrievalInfo = { mode: 'local' };

  constructor(
    private readonly els: {
      mode: HTMLElement;
      detail: HTMLElement;
      knowledgeBase: HTMLSelectElement;
      docsNote: HTMLElement;
    },
  ) {}

  get remote(): boolean {
    return this.current.mode === 'remote';
  }

  connecting(url: string): void {
    this.els.detail.textContent = url === '' ? '— switching to this browser…' : `— connecting to ${url}…`;
  }

  /** Shows `info`, or again what was in use before a connect that failed. */
  show(info: RetrievalInfo = this.current): void {
    this.current = info;
    const { mode, detail, knowledgeBase, docsNote } = this.els;
    mode.textContent = info.mode;
    mode.dataset.mode = info.mode;
    const remote = info.mode === 'remote';
    detail.textContent = remote ? `— ${info.name} at ${info.url} (${info.count} passages)` : '— in this browser, from the selected knowledge base';
    knowledgeBase.disabled = remote;
    knowledgeBase.title = remote ? 'Questions retrieve from the retrieval server; clear it to ask from a knowledge base here.' : '';
    docsNote.hidden = !remote;
  }
}
