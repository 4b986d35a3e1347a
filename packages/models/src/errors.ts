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

/** The WebGPU device went away or a WebGPU session could not be created; the model fell back to WASM. */
export class DeviceFallbackError extends RagError {
  override readonly name: string = 'DeviceFallbackError';
}
