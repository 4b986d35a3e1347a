/**
 * Loading progress, as a union discriminated by `status` (the transformers.js convention):
 * `initiate` → `download` → `progress`* → `done` per file, then one `ready` for the model.
 * Every event carries the aggregate over all files so a single bar can be drawn; sizes that are
 * unknown until a response arrives count as 0 until then.
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

/** Tracks per-file loaded/total bytes and produces the aggregate. */
export class ProgressTracker {
  private readonly files = new Map<string, { loaded: number; total: number }>();

  constructor(private readonly callback: ProgressCallback | undefined) {}

  emit(info: DistributiveOmit<ProgressInfo, 'aggregate'>): void {
    if (info.status === 'progress') this.files.set(info.file, { loaded: info.loaded, total: info.total });
    if (info.status === 'initiate' && !this.files.has(info.file)) this.files.set(info.file, { loaded: 0, total: 0 });
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
