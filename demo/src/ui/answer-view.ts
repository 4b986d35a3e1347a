import type { AskResult, RetrievedPassage } from '../worker/engine.js';
import { h } from './elements.js';

/**
 * The answer and its provenance: the text as it streams in, then the retrieved passages with
 * their titles, doc ids and doc scores as probabilities (softmax over the retrieved set). Passage
 * text is untrusted and only ever becomes text nodes (elements.ts).
 */
export class AnswerView {
  constructor(
    private readonly answer: HTMLElement,
    private readonly meta: HTMLElement,
    private readonly passages: HTMLOListElement,
  ) {}

  start(question: string): void {
    this.answer.textContent = '';
    this.answer.dataset.state = 'pending';
    this.meta.textContent = `Retrieving passages for “${question}”…`;
    this.passages.replaceChildren();
  }

  showPassages(passages: RetrievedPassage[]): void {
    this.meta.textContent = 'Generating…';
    this.passages.replaceChildren(...passages.map((p) => passageItem(p)));
  }

  setText(text: string): void {
    this.answer.textContent = text;
  }

  finish(result: AskResult): void {
    this.answer.textContent = result.answer;
    this.answer.dataset.state = 'done';
    const variant = result.streamed ? 'RAG-Token greedy, streamed' : 'generated';
    this.meta.textContent =
      `${variant} on ${result.device} from ${result.nDocs} passages · ` +
      `retrieval ${result.retrieveMs.toFixed(0)} ms · generation ${result.generateMs.toFixed(0)} ms`;
  }

  fail(text: string): void {
    this.answer.dataset.state = 'error';
    this.meta.textContent = text;
  }
}

function passageItem(p: RetrievedPassage): HTMLLIElement {
  const percent = (100 * p.probability).toFixed(1);
  return h(
    'li',
    { class: 'passage', 'data-testid': 'passage', 'data-doc-id': p.docId },
    h(
      'div',
      { class: 'passage-head' },
      h('meter', { min: 0, max: 1, value: p.probability, title: `doc score ${p.score.toFixed(3)}` }),
      h('span', { class: 'probability', 'data-testid': 'passage-probability' }, `${percent} %`),
      h('strong', { class: 'title', 'data-testid': 'passage-title' }, p.title),
      h('span', { class: 'doc-id' }, `doc ${p.docId} · score ${p.score.toFixed(3)}`),
    ),
    h('p', { class: 'text', 'data-testid': 'passage-text' }, p.text),
  );
}
