import { RagError, RetrievalError } from '@rag-web/core';

export { EmbeddingDimensionError, EmbeddingModelError, EmptyKnowledgeBaseError, NonFiniteEmbeddingError, NotEnoughPassagesError, RetrievalError, UnknownPassageError } from '@rag-web/core';

/**
 * Typed errors of the retriever package. Every class keeps core's contract (`name` is the class
 * name, `details` is plain data), so a worker can send `{ name, message, details }` and the other
 * side can rebuild the same class.
 *
 * Two domains: `RetrievalError` (what was asked of a knowledge base is impossible) and
 * `KnowledgeBaseStorageError` (what is stored, or could not be stored). When one of these is
 * thrown by a write, nothing of that write is visible afterwards: the data and manifest that were
 * there before are intact.
 */
export class KnowledgeBaseStorageError extends RagError {
  override readonly name: string = 'KnowledgeBaseStorageError';
}

/** One record of a JSONL / JSON passages file is not a `{ title, text }` object; `line` is 1-based. */
export class MalformedPassagesError extends RetrievalError {
  override readonly name: string = 'MalformedPassagesError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`Malformed passage on line ${line}: ${reason}. Nothing was written.`, { line, reason });
  }
}

/** The browser refused to store more (IndexedDB `QuotaExceededError`). */
export class StorageQuotaError extends KnowledgeBaseStorageError {
  override readonly name: string = 'StorageQuotaError';
  constructor(what: string, cause: unknown) {
    super(
      `Storage quota exceeded while ${what}. The knowledge base still holds what it held before this write; ` +
        'free space (or ask for persistent storage with navigator.storage.persist()) and resume the ingest.',
      { what, cause: cause instanceof Error ? cause.message : String(cause) },
    );
  }
}

/**
 * Another tab, worker or process wrote this knowledge base while this write was under way (where
 * the Web Locks API cannot make writers wait). Nothing of this write was committed and nothing
 * of the other one was overwritten: reopen and retry.
 */
export class KnowledgeBaseConflictError extends KnowledgeBaseStorageError {
  override readonly name: string = 'KnowledgeBaseConflictError';
  constructor(name: string, field: string, expected: unknown, actual: unknown) {
    super(
      `Knowledge base "${name}" was changed by another tab or process during this write (${field} is ${JSON.stringify(actual)}, ` +
        `expected ${JSON.stringify(expected)}); nothing of this write was committed. Retry it.`,
      { name, field, expected: expected ?? null, actual: actual ?? null },
    );
  }
}

/** Stored data disagrees with its manifest (missing passages, a checksum that does not match, a bad file). */
export class KnowledgeBaseCorruptError extends KnowledgeBaseStorageError {
  override readonly name: string = 'KnowledgeBaseCorruptError';
}

/** A knowledge-base folder's file could not be fetched (an HTTP error, or no connection at all) or, in Node, read from disk. */
export class KnowledgeBaseFetchError extends KnowledgeBaseStorageError {
  override readonly name: string = 'KnowledgeBaseFetchError';
}

/** `loadKnowledgeBase` into a stored knowledge base that holds passages of its own, not ones loaded from a folder. */
export class KnowledgeBaseNameTakenError extends KnowledgeBaseStorageError {
  override readonly name: string = 'KnowledgeBaseNameTakenError';
  constructor(name: string, folder: string) {
    super(`Knowledge base "${name}" already holds passages that were not loaded from ${folder}; nothing was changed. Load the folder under another \`name\`.`, { name, folder });
  }
}

/** The HNSW WebAssembly module could not be loaded or used in this environment. */
export class HnswUnavailableError extends RetrievalError {
  override readonly name: string = 'HnswUnavailableError';
}
