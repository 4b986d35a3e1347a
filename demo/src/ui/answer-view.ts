import type { AskResult, RetrievedPassage } from '../worker/engine.js';
import { h } from './elements.js';
import { judgeAnswer } from './provenance.js';

/**
 * The answer and its provenance: the text as it streams in, then the retrieved passages with
 * their titles, doc ids and doc scores as probabilities (softmax over the retrieved set), and a
 * line naming the passage the answer comes from — or, when even the best passage is too
 * improbable, "not found" with the generated text shown as a guess. Passage text is untrusted
 * and only ever becomes text nodes (elements.ts).
 */
export class AnswerView {
  constructor(
    private readonly answer: HTMLElement,
    private readonly notFound: HTMLElement,
    private readonly source: HTMLElement,
    private readonly meta: HTMLElement,
    private readonly passages: HTMLOListElement,
  ) {}

  start(question: string): void {
    this.clearVerdict();
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

  /** `notFoundBelow`: the model's threshold on the top passage's probability, if it has one. */
  finish(result: AskResult, notFoundBelow: number | undefined): void {
    this.answer.textContent = result.answer;
    this.answer.dataset.state = 'done';
    this.showVerdict(result, notFoundBelow);
    const variant = result.streamed ? 'RAG-Token greedy, streamed' : 'generated';
    const origin = result.retrievedFrom;
    const where = origin.mode === 'remote' ? `by the retrieval server at ${origin.url}` : 'in this browser';
    this.meta.textContent =
      `${variant} on ${result.device} from ${result.nDocs} passages of ${origin.name}, retrieved ${where} · ` +
      `retrieval ${result.retrieveMs.toFixed(0)} ms · generation ${result.generateMs.toFixed(0)} ms`;
  }

  fail(text: string): void {
    this.answer.dataset.state = 'error';
    this.meta.textContent = text;
  }

  private showVerdict(result: AskResult, notFoundBelow: number | undefined): void {
    const { found, source } = judgeAnswer(result.answer, result.passages, notFoundBelow);
    if (!found) {
      this.answer.dataset.guess = 'true';
      this.notFound.hidden = false;
      this.notFound.replaceChildren(
        h('strong', {}, 'Not found in the knowledge base'),
        source && notFoundBelow !== undefined
          ? ` — even the best passage has only ${percent(source.probability)}, below the ${percent(notFoundBelow)} this model needs. What the model generated is a guess, not an answer:`
          : ' — nothing was retrieved.',
      );
    }
    if (!source) return;
    this.source.dataset.docId = String(source.docId);
    this.source.dataset.containsAnswer = String(source.containsAnswer);
    this.source.replaceChildren(
      found ? 'Source: ' : 'Guessed from: ',
      h('strong', { 'data-testid': 'answer-source-title' }, source.title),
      ` (doc ${source.docId}, ${percent(source.probability)}) — `,
      source.containsAnswer ? 'the answer occurs in this passage.' : 'the answer does not occur in this passage as written.',
    );
  }

  private clearVerdict(): void {
    delete this.answer.dataset.guess;
    this.notFound.hidden = true;
    this.notFound.replaceChildren();
    this.source.replaceChildren();
    delete this.source.dataset.docId;
    delete this.source.dataset.containsAnswer;
  }
}

function percent(p: number): string {
  return `${(100 * p).toFixed(1)} %`;
}

function passageItem(p: RetrievedPassage): HTMLLIElement {
  return h(
    'li',
    { class: 'passage', 'data-testid': 'passage', 'data-doc-id': p.docId },
    h(
      'div',
      { class: 'passage-head' },
      h('meter', { min: 0, max: 1, value: p.probability, title: `doc score ${p.score.toFixed(3)}` }),
      h('span', { class: 'probability', 'data-testid': 'passage-probability' }, percent(p.probability)),
      h('strong', { class: 'title', 'data-testid': 'passage-title' }, p.title),
      h('span', { class: 'doc-id' }, `doc ${p.docId} · score ${p.score.toFixed(3)}`),
    ),
    h('p', { class: 'text', 'data-testid': 'passage-text' }, p.text),
  );
}
