// Node-side access to the committed fixtures (fixtures/README.md): reference values computed by
// transformers and the exported model folders.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tiny-p: tiny-a's weights with a generator prefix other than the RAG-level one and quoted titles. */
export const FIXTURE_CASES = ['tiny-a', 'tiny-b', 'tiny-p', 'hf-o1', 'hf-o2'] as const;

/** Every fixture holds its generator both ways (layouts.json): parity runs on each. */
export const GENERATOR_LAYOUTS = ['bart-split', 'bart-merged'] as const;
/**
 * Cases whose decoder graphs were exported with `--cross-attention per-row` (the encoder side
 * expanded to every decoder row, as transformers and transformers.js hold it); the others share it
 * among each document's beams. Both decoder contracts thus run every parity suite.
 */
export const PER_ROW_CROSS_ATTENTION_CASES: readonly string[] = ['tiny-b'];
export const FIXTURE_LAYOUT_CASES = FIXTURE_CASES.flatMap((c) => GENERATOR_LAYOUTS.map((l) => [c, l] as const));

export function fixturePath(path: string): string {
  return fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
}

/** Every file under a folder by its relative path, as the `{ files }` source of fromPretrained takes them. */
export function readFolderFiles(dir: string, prefix = ''): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const name of readdirSync(join(dir, prefix))) {
    const path = `${prefix}${name}`;
    if (statSync(join(dir, path)).isDirectory()) Object.assign(files, readFolderFiles(dir, `${path}/`));
    else files[path] = new Uint8Array(readFileSync(join(dir, path)));
  }
  return files;
}

export function readFixtureJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(fixturePath(path), 'utf8')) as T;
}

/** The per-question part of reference.json (snake_case as written by tools/make_fixtures.py). */
export interface ReferenceQuestion {
  question: string;
  question_input_ids: number[];
  question_pooled: number[];
  doc_ids: number[];
  doc_scores: number[];
  context_strings: string[];
  context_input_ids: number[][];
  context_attention_mask?: number[][];
  labels: number[];
  token_loss: number;
  token_loss_reduced: number;
  /** Only in the tiny cases. */
  token_loss_smooth01?: number;
  seq_loss_reduced?: number;
  seq_loss: number;
  seq_loss_excl_bos_reduced: number;
  seq_loss_smooth01: number;
  generator_logits?: number[][][];
  token_marginalized_logits_last: number[];
  generate: Record<string, number[][]>;
  generate_text: Record<string, string[]>;
}

export interface Reference {
  questions: string[];
  answers: string[];
  per_question: ReferenceQuestion[];
  batch2_question_pooled: number[][];
  /** The first two questions generated as one batch (tiny cases). */
  batch2_generate?: { generate: Record<string, number[][]>; generate_text: Record<string, string[]> };
}

export function readReference(caseName: string): Reference {
  return readFixtureJson<Reference>(`${caseName}/reference.json`);
}
