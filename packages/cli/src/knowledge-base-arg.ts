import type { EmbeddingIdentity, PassageSource } from '@rag-web/core';
import { PgKnowledgeBase } from '@rag-web/pgvector';
import type { OptionSpec } from './cli-options.js';
import { type IndexKind, openKnowledgeBaseFolder } from './kb-folder-files.js';

/**
 * What `--kb` names: a knowledge-base folder (loaded into memory) or a Postgres database with
 * pgvector (`postgres://…`, queried in place). Both are core PassageSources, so everything after
 * opening (RagRetriever, `rag serve`) is one code path.
 */
export type CliKnowledgeBase = PassageSource & {
  /** The encoder identity it records, checked against the model (`checkEncoderProbe`). */
  readonly manifest: Readonly<EmbeddingIdentity>;
  close(): Promise<void>;
};

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(arg: string): boolean {
  return POSTGRES_URL.test(arg);
}

export const KB_OPTION: OptionSpec = {
  name: 'kb',
  value: 'KB_DIR|postgres://…',
  description: 'knowledge-base folder written by rag index, or a Postgres database with pgvector (required with --model)',
  default: "the embedded model's (public/kb/world-facts)",
};

export const KB_NAME_OPTION: OptionSpec = {
  name: 'kb-name',
  value: 'NAME',
  description: 'with --kb postgres://…: the knowledge base in that database (tables NAME_passages and NAME_manifest)',
  default: 'rag',
};

/** Opens `--kb`; `index` picks HNSW or exact search (a folder without a graph, or a table without an HNSW index, searches exactly). */
export async function openKnowledgeBase(arg: string, options: { index?: IndexKind | undefined; name?: string | undefined } = {}): Promise<CliKnowledgeBase> {
  if (!isPostgresUrl(arg)) return openKnowledgeBaseFolder(arg, options.index);
  return PgKnowledgeBase.open(arg, { ...(options.name ? { name: options.name } : {}), index: options.index ?? 'hnsw' });
}
