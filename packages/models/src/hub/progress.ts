/**
 * Loading progress, as a union discriminated by `status` (the transformers.js convention):
 * `initiate` for every file first, then `download` → `progress`* → `done` per file (several
 * files at once), then one `ready` for the model. Every event carries the aggregate over all
 * files so one bar can be drawn; its total is known at the first event and never changes (sizes
 * come from the manifest or HEAD requests before any download starts).
 */
export type ProgressInfo =
  | { status: 'initiate'; file: string; aggregate: AggregateProgress }
  | { status: 'download'; file: string; aggregate: AggregateProgress }
  | { status: 'progress'; file: string; loaded: number; total: number; progress: number; aggregate: AggregateProgress }
  | { status: 'done'; file: string; fromCache: boolean; aggregate: AggregateProgress }
  | { status: 'ready'; model: string; device: string; aggregate: AggregateProgress };

export interface AggregateProgress {
  loaded: number;
  total: number;
  /** 0–100. */
  progress: number;
}

export type ProgressCallback = (info: ProgressInfo) => void;

/** Tracks per-file loaded bytes against the planned totals and produces the aggregate. */
export class ProgressTracker {
  private readonly files = new Map<string, { loaded: number; total: number }>();

  constructor(private readonly callback: ProgressCallback | undefined) {}

  /** Every file with its size, before the first byte: one `initiate` each, the total fixed from here on. */
  plan(files: ReadonlyArray<{ file: string; size: number }>): void {
    for (const f of files) this.files.set(f.file, { loaded: 0, total: f.size });
    for (const f of files) this.emit({ status: 'initiate', file: f.file });
  }

  emit(info: DistributiveOmit<ProgressInfo, 'aggregate'>): void {
    const planned = 'file' in info ? this.files.get(info.file) : undefined;
    if (info.status === 'progress') {
      if (planned) planned.loaded = Math.min(info.loaded, planned.total);
      else this.files.set(info.file, { loaded: info.loaded, total: info.total });
    }
    if (info.status === 'initiate' && !planned) this.files.set(info.file, { loaded: 0, total: 0 });
    if (info.status === 'done') {
      const f = this.files.get(info.file);
      if (f) f.loaded = f.total;
    }
    this.callback?.({ ...info, aggregate: this.aggregate() } as ProgressInfo);
  }

  aggregate(): AggregateProgress {
    let loaded = 0;
    let total = 0;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    return { loaded, total, progress: total === 0 ? 0 : (100 * loaded) / total };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
