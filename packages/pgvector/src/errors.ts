import { RagError, RetrievalError } from '@rag-web/core';

export { EmbeddingDimensionError, EmbeddingModelError, EmptyKnowledgeBaseError, NonFiniteEmbeddingError, NotEnoughPassagesError, RetrievalError, UnknownPassageError } from '@rag-web/core';

/**
 * Typed errors of the pgvector package. Every class keeps core's contract (`name` is the class
 * name, `details` is plain data), so it crosses an HTTP response or a worker boundary and is
 * rebuilt as the same class on the other side.
 *
 * Two domains, as in the retriever package: `RetrievalError` (core: what was asked of a knowledge
 * base is impossible) and `PostgresError` (the database could not be reached or refused a
 * statement). When one of these is thrown by an ingest, nothing of the batch under way is
 * visible: each batch is one transaction that writes the manifest row last.
 */
export class PostgresError extends RagError {
  override readonly name: string = 'PostgresError';
}

/** No connection to Postgres (refused, timed out, reset, the server gone mid-statement). */
export class PostgresUnavailableError extends PostgresError {
  override readonly name: string = 'PostgresUnavailableError';
  constructor(
    readonly address: string,
    readonly reason: string,
    what: string,
  ) {
    super(
      `Postgres at ${address} is unavailable while ${what} (${reason}). Nothing of an unfinished write is visible; ` +
        'once the server is back, run the same ingest again to resume it.',
      { address, reason, what },
    );
  }
}

/** The database lacks the pgvector extension, and it could not be created. */
export class PgVectorMissingError extends PostgresError {
  override readonly name: string = 'PgVectorMissingError';
  constructor(
    readonly address: string,
    reason: string,
  ) {
    super(
      `The Postgres database at ${address} has no pgvector extension (${reason}). Install pgvector on the server ` +
        '(https://github.com/pgvector/pgvector#installation) and run `CREATE EXTENSION vector;` in the database as a user allowed to.',
      { address, reason },
    );
  }
}

/** Another writer committed to this knowledge base during this ingest; nothing of this batch was committed. */
export class PgKnowledgeBaseConflictError extends PostgresError {
  override readonly name: string = 'PgKnowledgeBaseConflictError';
  constructor(name: string, expectedNextId: number, actualNextId: number) {
    super(
      `Knowledge base "${name}" was written by another process during this ingest (next id ${actualNextId}, expected ${expectedNextId}); ` +
        'nothing of this batch was committed. Run the ingest again.',
      { name, expectedNextId, actualNextId },
    );
  }
}

/** The tables disagree with what a knowledge base needs (a passages table without its manifest row, a missing passage). */
export class PgKnowledgeBaseCorruptError extends PostgresError {
  override readonly name: string = 'PgKnowledgeBaseCorruptError';
}

/** A passage's title or text holds U+0000, which Postgres `text` cannot store; `passage` is 1-based in the input. */
export class UnstorableTextError extends RetrievalError {
  override readonly name: string = 'UnstorableTextError';
  constructor(
    readonly passage: number,
    readonly field: 'title' | 'text',
  ) {
    super(`The ${field} of passage ${passage} holds a NUL character (U+0000), which Postgres text cannot store. Nothing was written.`, { passage, field });
  }
}

/** Socket-level failures and SQLSTATEs that mean the connection, not the statement, failed. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const LOST_CONNECTION = /connection terminated|connection timeout|connection ended|connection error|not queryable|socket hang up/i;

/** Whether `err` (from `pg`) means the connection is gone: the client that saw it must not be reused. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  return LOST_CONNECTION.test(err.message);
}

/** `err` as this package's error: ours and core's pass through, connection losses become PostgresUnavailableError. */
export function asPostgresError(err: unknown, address: string, what: string): Error {
  if (err instanceof RagError) return err;
  if (isConnectionError(err)) {
    const e = err as Error & { code?: string };
    return new PostgresUnavailableError(address, e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message || (e.code ?? 'unknown'), what);
  }
  const e = err as Error & { code?: string };
  return new PostgresError(`Postgres at ${address} refused a statement while ${what}: ${e.message}`, { address, what, code: e.code ?? null });
}
