import type { FindPassagesResult, PassageRecord } from '../worker/engine.js';
import { h } from './elements.js';

export interface PassageEditorHooks {
  onSave: (knowledgeBase: string, passage: PassageRecord, text: string) => void;
  onDelete: (knowledgeBase: string, passage: PassageRecord) => void;
}

/**
 * Passages looked up by title, each with its text in a text box, Save (the edited text replaces
 * the passage, under a new doc id) and Delete. Titles and texts are untrusted: text nodes only.
 */
export class PassageEditorView {
  constructor(
    private readonly status: HTMLElement,
    private readonly list: HTMLOListElement,
    private readonly hooks: PassageEditorHooks,
  ) {}

  show(knowledgeBase: string, title: string, result: FindPassagesResult): void {
    const shown = result.passages.length;
    this.message(
      result.total === 0
        ? `No passage in "${knowledgeBase}" has a title that is or starts with "${title.trim()}".`
        : `${result.total} passage${result.total === 1 ? '' : 's'} in "${knowledgeBase}"${shown < result.total ? `, the first ${shown} shown` : ''}.`,
    );
    this.list.replaceChildren(...result.passages.map((p) => this.item(knowledgeBase, p)));
  }

  /** The saved passage takes the place of the one it replaced. */
  saved(knowledgeBase: string, oldId: number, passage: PassageRecord): void {
    this.itemOf(oldId)?.replaceWith(this.item(knowledgeBase, passage));
    this.message(`Saved "${passage.title}": it is now doc ${passage.docId} (doc ${oldId} is removed).`);
  }

  deleted(passage: PassageRecord): void {
    this.itemOf(passage.docId)?.remove();
    this.message(`Deleted "${passage.title}" (doc ${passage.docId}).`);
  }

  /** Turns a passage's buttons off while it is being saved or deleted (and on again if that failed). */
  busy(docId: number, on: boolean): void {
    for (const button of this.itemOf(docId)?.querySelectorAll('button') ?? []) button.disabled = on;
  }

  message(text: string): void {
    this.status.textContent = text;
  }

  private itemOf(docId: number): HTMLLIElement | null {
    return this.list.querySelector<HTMLLIElement>(`li[data-doc-id="${docId}"]`);
  }

  private item(knowledgeBase: string, p: PassageRecord): HTMLLIElement {
    const text = h('textarea', { rows: 4, 'data-testid': 'passage-edit-text', 'aria-label': `Text of doc ${p.docId}` }, p.text);
    const save = h('button', { type: 'button', 'data-testid': 'passage-save' }, 'Save');
    const remove = h('button', { type: 'button', class: 'delete', 'data-testid': 'passage-delete' }, 'Delete');
    save.addEventListener('click', () => this.hooks.onSave(knowledgeBase, p, text.value));
    remove.addEventListener('click', () => this.hooks.onDelete(knowledgeBase, p));
    return h(
      'li',
      { class: 'passage-edit', 'data-testid': 'passage-result', 'data-doc-id': p.docId },
      h('div', { class: 'passage-head' }, h('strong', { 'data-testid': 'passage-result-title' }, p.title), h('span', { class: 'doc-id' }, `doc ${p.docId}`)),
      text,
      h('div', { class: 'passage-actions' }, save, remove),
    );
  }
}
