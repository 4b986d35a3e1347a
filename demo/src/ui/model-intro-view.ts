import type { DefaultModel } from '../default-model.js';
import { h } from './elements.js';

/**
 * Under the question box: what the default model knows, and example questions as buttons that
 * ask them. Shown only for that model (another one knows other things); the buttons are off
 * while no question can be asked.
 */
export class ModelIntroView {
  constructor(
    private readonly model: DefaultModel,
    private readonly container: HTMLElement,
    private readonly examples: HTMLFieldSetElement,
    private readonly question: HTMLInputElement,
    description: HTMLElement,
    onAsk: () => void,
  ) {
    description.textContent = model.description;
    examples.append(
      ...model.examples.map((text) => {
        const button = h('button', { type: 'button', class: 'example', 'data-testid': 'example-question' }, text);
        button.addEventListener('click', () => {
          question.value = text;
          onAsk();
        });
        return button;
      }),
    );
  }

  showFor(modelUrl: string): void {
    const known = modelUrl === this.model.modelUrl;
    this.container.hidden = !known;
    this.question.placeholder = known ? (this.model.examples[0] ?? '') : '';
  }

  set disabled(value: boolean) {
    this.examples.disabled = value;
  }
}
