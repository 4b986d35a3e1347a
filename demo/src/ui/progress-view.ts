import type { ProgressInfo } from '@rag-web/models';
import type { IngestEvent } from '@rag-web/retriever';
import { h } from './elements.js';

/**
 * Model download progress: one bar for all files (bytes) and one row per file, as the models
 * package reports them. Byte events can come by the thousand for a large model: they are kept
 * and drawn once per animation frame.
 */
export class ModelProgressView {
  private readonly files = new Map<string, FileState>();
  private aggregate: ProgressInfo['aggregate'] | undefined;
  private frame = 0;

  constructor(
    private readonly total: HTMLProgressElement,
    private readonly totalLabel: HTMLElement,
    private readonly list: HTMLElement,
  ) {}

  reset(text: string): void {
    this.files.clear();
    this.aggregate = undefined;
    this.list.replaceChildren();
    this.total.value = 0;
    this.total.removeAttribute('data-state');
    this.totalLabel.textContent = text;
  }

  update(info: ProgressInfo): void {
    this.aggregate = info.aggregate;
    if (info.status !== 'ready') {
      let file = this.files.get(info.file);
      if (!file) {
        file = { loaded: 0, total: 0, done: undefined, bar: h('progress', { max: 1, value: 0 }), label: h('span', { class: 'bytes' }) };
        this.files.set(info.file, file);
        this.list.append(h('li', {}, h('code', {}, info.file), file.bar, file.label));
      }
      if (info.status === 'progress') Object.assign(file, { loaded: info.loaded, total: info.total });
      if (info.status === 'done') file.done = info.fromCache ? 'from cache' : 'downloaded';
    }
    this.frame ||= requestAnimationFrame(() => this.draw());
  }

  /** Ends the bar: the model is usable (or failed: `text` says so). */
  finish(text: string, state: 'ok' | 'error'): void {
    this.draw();
    if (state === 'ok') this.total.value = this.total.max;
    this.total.dataset.state = state;
    this.totalLabel.textContent = text;
  }

  private draw(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    for (const f of this.files.values()) {
      f.bar.max = Math.max(f.total, 1);
      f.bar.value = f.done ? f.bar.max : f.loaded;
      f.label.textContent = `${formatBytes(f.loaded)} / ${formatBytes(f.total)}${f.done ? ` (${f.done})` : ''}`;
    }
    const agg = this.aggregate;
    if (!agg) return;
    this.total.max = 100;
    this.total.value = agg.progress;
    this.totalLabel.textContent = `${formatBytes(agg.loaded)} of ${formatBytes(agg.total)} (${agg.progress.toFixed(0)} %)`;
  }
}

interface FileState {
  loaded: number;
  total: number;
  done: 'from cache' | 'downloaded' | undefined;
  bar: HTMLProgressElement;
  label: HTMLElement;
}

/** Document ingest progress: passages embedded and stored out of the total. */
export class IngestProgressView {
  constructor(
    private readonly bar: HTMLProgressElement,
    private readonly label: HTMLElement,
  ) {}

  start(): void {
    this.bar.hidden = false;
    this.bar.removeAttribute('value');
    this.label.textContent = 'Reading documents…';
  }

  update(event: IngestEvent): void {
    this.bar.max = Math.max(event.total, 1);
    switch (event.status) {
      case 'parsed':
        this.bar.value = 0;
        this.label.textContent = `${event.total} passages to embed`;
        break;
      case 'resumed':
      case 'progress':
        this.bar.value = event.done;
        this.label.textContent = `${event.done} / ${event.total} passages embedded`;
        break;
      case 'indexing':
        this.label.textContent = `Indexing ${event.total} passages…`;
        break;
      case 'done':
        this.bar.value = event.total;
        this.label.textContent = `${event.total} / ${event.total} passages embedded and stored`;
        break;
    }
  }

  fail(text: string): void {
    this.label.textContent = text;
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
