import { RagError } from '../errors.js';

/**
 * The errors of the retrieval contract, thrown by every `PassageSource` (the in-browser knowledge
 * base, Postgres, a remote server) and by `RagRetriever`. Each keeps core's contract (`name` is the
 * class name, `details` plain data), so they cross a worker boundary or an HTTP response and are
 * rebuilt as the same class on the other side.
 *
 * `RetrievalError`: what was asked of a knowledge base is impossible.
 */
export class RetrievalError extends RagError {
  override readonly name: string = 'RetrievalError';
}

/** Embedding width differs from the knowledge base's (or the question encoder's `retrieval_vector_size`). */
export class EmbeddingDimensionError extends RetrievalError {
  override readonly name: string = 'EmbeddingDimensionError';
  constructor(
    readonly expected: number,
    readonly actual: number,
    what: string,
  ) {
    super(`${what}: embeddings have dimension ${actual}, but this knowledge base holds dimension ${expected}.`, { expected, actual, what });
  }
}

/**
 * A NaN or ±Infinity in an embedding: inner products with it are NaN or infinite, so it would
 * rank first or never, whatever the question. `passage` is 1-based in the input (or file).
 */
export class NonFiniteEmbeddingError extends RetrievalError {
  override readonly name: string = 'NonFiniteEmbeddingError';
  constructor(
    readonly what: string,
    readonly passage: number,
    readonly value: number,
  ) {
    super(`${what}: the embedding of passage ${passage} holds ${value}; embeddings must be finite numbers. Nothing was written.`, { what, passage, value });
  }
}

/** Embeddings from a different encoder model than the one the knowledge base was built with. */
export class EmbeddingModelError extends RetrievalError {
  override readonly name: string = 'EmbeddingModelError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `Embeddings come from model "${actual}", but this knowledge base was built with "${expected}"; ` +
        'mixing encoders makes inner products meaningless. Use a new knowledge base for the other model.',
      { expected, actual },
    );
  }
}

/** A search or retrieval on a knowledge base that holds no passage. */
export class EmptyKnowledgeBaseError extends RetrievalError {
  override readonly name: string = 'EmptyKnowledgeBaseError';
  constructor(name: string) {
    super(`Knowledge base "${name}" holds no passages; ingest passages before retrieving.`, { name });
  }
}

/** More documents per question were asked for than the knowledge base holds. */
export class NotEnoughPassagesError extends RetrievalError {
  override readonly name: string = 'NotEnoughPassagesError';
  constructor(
    readonly requested: number,
    readonly available: number,
  ) {
    super(`nDocs = ${requested} documents per question were requested, but the knowledge base holds only ${available} passages.`, {
      requested,
      available,
    });
  }
}

/** A doc id that is not (or no longer) in the knowledge base: never handed out, or removed. */
export class UnknownPassageError extends RetrievalError {
  override readonly name: string = 'UnknownPassageError';
  constructor(
    readonly id: number,
    name: string,
  ) {
    super(`Passage ${id} is not in knowledge base "${name}" (never added, or removed).`, { id, name });
  }
}
