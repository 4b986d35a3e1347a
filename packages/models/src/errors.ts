import { RagError } from '@rag-web/core';

/** A model file is missing, unreadable, or not what the config says (wrong sizes, corrupt ONNX). */
export class ModelLoadError extends RagError {
  override readonly name: string = 'ModelLoadError';
}

/** A tokenizer does not fit its model (vocab larger than the embedding table, missing special tokens). */
export class TokenizerMismatchError extends RagError {
  override readonly name: string = 'TokenizerMismatchError';
}

/** Arguments of forward/generate that cannot be right (empty question, rows not batch·nDocs, ...). */
export class InvalidInputError extends RagError {
  override readonly name: string = 'InvalidInputError';
}

/**
 * An option or `generate` argument that does not exist here (a misspelling, a snake_case or
 * transformers.js name): `details.suggestion` is the closest valid one.
 */
export class UnknownOptionError extends InvalidInputError {
  override readonly name: string = 'UnknownOptionError';
}

/** An option that transformers has but this port does not implement (sampling: `doSample`, `temperature`, ...). */
export class UnsupportedOptionError extends InvalidInputError {
  override readonly name: string = 'UnsupportedOptionError';
}

/** The WebGPU device went away or a WebGPU session could not be created; the model fell back to WASM. */
export class DeviceFallbackError extends RagError {
  override readonly name: string = 'DeviceFallbackError';
}

/** A model file that is not there (HTTP 404, no such file, absent from the given bytes). */
export class ModelFileNotFoundError extends ModelLoadError {
  override readonly name: string = 'ModelFileNotFoundError';
}

/**
 * A downloaded model file could not be kept in the cache (storage quota, or the browser's limit on
 * one entry: Chromium refuses Cache Storage entries of several hundred MB). A warning: the model
 * loaded from the downloaded bytes, and the file will be downloaded again on the next load.
 */
export class ModelCacheWriteError extends RagError {
  override readonly name: string = 'ModelCacheWriteError';
}

/**
 * A model file whose bytes are not the ones its manifest (or the hub) names: its SHA-256 or size
 * differs. Nothing was cached; a cached copy that failed the check was evicted, so a retry downloads it again.
 */
export class ModelIntegrityError extends ModelLoadError {
  override readonly name: string = 'ModelIntegrityError';
}
