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
  render(list: KnowledgeBaseSummary[], model: Pick<ModelInfo, 'dimension' | 'modelUrl'> | undefined, prefer?: string): void {
    this.list = list;
    const keep = prefer ?? this.askSelect.value;
    const fits = (kb: KnowledgeBaseSummary) => !model || kb.dimension === model.dimension;
    const chosen = list.find((kb) => kb.name === keep && fits(kb)) ?? list.find((kb) => kb.modelId === model?.modelUrl) ?? list.find(fits) ?? list[0];
    this.askSelect.replaceChildren(
      ...list.map((kb) => h('option', { value: kb.name, selected: kb === chosen }, `${kb.name} (${kb.count})${fits(kb) ? '' : ' — other encoder'}`)),
    );
    this.targetNames.replaceChildren(...list.map((kb) => h('option', { value: kb.name })));
    this.rows.replaceChildren(
      ...list.map((kb) => {
        const remove = h('button', { type: 'button', class: 'delete', 'data-testid': 'kb-delete' }, 'Delete');
        remove.addEventListener('click', () => this.onDelete(kb.name));
        return h(
          'tr',
          { 'data-kb': kb.name, 'data-testid': 'kb-row' },
          h('td', {}, h('strong', {}, kb.name), kb.bundled ? h('span', { class: 'tag' }, 'bundled') : null),
          h('td', { class: 'num', 'data-testid': 'kb-count' }, kb.count),
          h('td', { class: 'num' }, kb.dimension),
          h('td', {}, h('code', {}, kb.modelId || 'unknown'), fits(kb) ? null : h('span', { class: 'tag warn' }, 'does not fit this model')),
          h('td', {}, remove),
        );
      }),
    );
  }

  has(name: string): boolean {
    return this.list.some((kb) => kb.name === name);
  }
}
