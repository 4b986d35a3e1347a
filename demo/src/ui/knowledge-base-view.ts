import type { KnowledgeBaseSummary, ModelInfo } from '../worker/engine.js';
import { h } from './elements.js';

/**
 * The knowledge bases: a table (name, passages, dimension, encoder, delete), the "ask from"
 * select and the names offered for "add to". Names come from IndexedDB and may be anything a
 * user typed: text only.
 */
export class KnowledgeBaseView {
  private list: KnowledgeBaseSummary[] = [];

  constructor(
    private readonly rows: HTMLTableSectionElement,
    private readonly askSelect: HTMLSelectElement,
    private readonly targetNames: HTMLDataListElement,
    private readonly onDelete: (name: string) => void,
  ) {}

  get selected(): string {
    return this.askSelect.value;
  }

  /**
   * Redraws everything. Selects `prefer`, else keeps the selection, if it exists and fits the
   * model; else the model's own knowledge base (embedded by its encoder), else the first that fits.
   */
  render(list: KnowledgeBaseSummary[], model: Pick<ModelInfo, 'dimension' | 'modelUrl' | 'embeddingModelId'> | undefined, prefer?: string): void {
    this.list = list;
    const keep = prefer ?? this.askSelect.value;
    const fits = (kb: KnowledgeBaseSummary) => !model || kb.dimension === model.dimension;
    // An unfinished ingest holds no live passage: nothing to ask from, only to resume or delete.
    const askable = list.filter((kb) => !kb.unfinished);
    // Its own: recorded under its weights' identity, or (bundled folders, older knowledge bases) its URL.
    const own = (kb: KnowledgeBaseSummary) => model !== undefined && (kb.modelId === model.embeddingModelId || kb.modelId === model.modelUrl);
    const chosen = askable.find((kb) => kb.name === keep && fits(kb)) ?? askable.find(own) ?? askable.find(fits) ?? askable[0];
    this.askSelect.replaceChildren(
      ...askable.map((kb) => h('option', { value: kb.name, selected: kb === chosen }, `${kb.name} (${kb.count})${fits(kb) ? '' : ' — other encoder'}`)),
    );
    this.targetNames.replaceChildren(...list.map((kb) => h('option', { value: kb.name })));
    this.rows.replaceChildren(
      ...list.map((kb) => {
        const remove = h('button', { type: 'button', class: 'delete', 'data-testid': 'kb-delete' }, 'Delete');
        remove.addEventListener('click', () => this.onDelete(kb.name));
        return h(
          'tr',
          { 'data-kb': kb.name, 'data-testid': 'kb-row' },
          h(
            'td',
            {},
            h('strong', {}, kb.name),
            kb.bundled ? h('span', { class: 'tag' }, 'bundled') : null,
            kb.unfinished
              ? h('span', { class: 'tag warn', 'data-testid': 'kb-unfinished' }, `unfinished ingest: ${kb.unfinished.pending} passages stored, none live — add the same documents to resume, or delete`)
              : null,
          ),
          h('td', { class: 'num', 'data-testid': 'kb-count' }, kb.count),
          h('td', { class: 'num' }, kb.unfinished ? '' : kb.dimension),
          h('td', {}, h('code', {}, kb.modelId || 'unknown'), kb.unfinished || fits(kb) ? null : h('span', { class: 'tag warn' }, 'does not fit this model')),
          h('td', {}, remove),
        );
      }),
    );
  }

  has(name: string): boolean {
    return this.list.some((kb) => kb.name === name);
  }
}
