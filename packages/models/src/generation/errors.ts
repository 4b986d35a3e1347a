import { RagError } from '@rag-web/core';

/**
 * Generation cannot go on with what it was given at run time: a prefix constraint allowed no
 * token, a step function returned candidates that are not a top-k, a token id outside the
 * vocabulary. Constructor arguments that are wrong from the start throw `RagConfigError`, and
 * buffers of the wrong size throw `ShapeError` (both from `@rag-web/core`).
 */
export class GenerationError extends RagError {
  override readonly name: string = 'GenerationError';
}
