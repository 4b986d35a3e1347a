import { RagError } from '@rag-web/core';

/**
 * Errors of the command line itself. Like every package's errors they keep core's contract:
 * `name` is the class name, spelled out so that a minified build keeps it. `rag` prints
 * `name: message` on one line and exits non-zero.
 */

/** A flag is unknown, missing, or has a value that cannot be right. Exit status 2. */
export class UsageError extends RagError {
  override readonly name: string = 'UsageError';
}

/** An input file (passages, embeddings, questions, a knowledge-base folder) is missing or does not fit the others. */
export class InputFileError extends RagError {
  override readonly name: string = 'InputFileError';
}
