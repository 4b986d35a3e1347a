// The declarations name WebGPU's types (GPUDevice, GPUBuffer, …): `preserve` keeps this
// reference in the emitted index.d.ts, so a consumer's tsc finds them in our @webgpu/types dependency.
/// <reference types="@webgpu/types" preserve="true" />
export { DEVICE_TYPES, isDeviceType, isSoftwareAdapter, resolveDevice, type AdapterDescription, type DeviceType, type ResolvedDevice } from './devices.js';
export { DTYPES, DTYPE_SUFFIX, isDtype, resolveDtype, type Dtype } from './dtypes.js';
export {
  DeviceFallbackError,
  InvalidInputError,
  ModelCacheWriteError,
  ModelFileNotFoundError,
  ModelIntegrityError,
  ModelLoadError,
  TokenizerMismatchError,
  UnknownOptionError,
  UnsupportedOptionError,
} from './errors.js';
export {
  TOKENIZER_FILES,
  graphFile,
  graphName,
  graphSet,
  partFolder,
  type FolderKind,
  type GraphLayout,
  type GraphRole,
  type GraphSet,
  type GraphSetName,
  type PartFolder,
  type PartKind,
} from './layout/model-layout.js';
export { MANIFEST_FILE, type FileFacts, type Manifest } from './hub/manifest.js';
export { readEmbeddingModelId, type PartReference, type RagJson } from './loading/model-plan.js';
export { CacheStorageFileCache, DEFAULT_CACHE_SCOPE, MemoryFileCache, defaultFileCache, type FileCache } from './hub/file-cache.js';
export { resolveModelSource, type HubOptions, type ModelSource } from './hub/model-source.js';
export type { AggregateProgress, ProgressCallback, ProgressInfo } from './hub/progress.js';
export { HfTokenizer, type TokenizerFiles } from './tokenizer/hf-tokenizer.js';
export { RagTokenizer } from './tokenizer/rag-tokenizer.js';
export { DPRContextEncoder, DPRQuestionEncoder } from './dpr-encoder.js';
export { BartGenerator } from './bart-generator.js';
export { PRETRAINED_OPTION_KEYS, loadRagComponents, type PretrainedOptions, type RagComponents } from './pretrained.js';
export { webGpuAvailable, type Ort, type RuntimeOptions } from './ort/runtime.js';
export { checkOptionKeys, type OptionKeys } from './option-keys.js';
export { RagModel, type RagForwardArgs, type RagFromPretrainedOptions } from './rag-model.js';
export type { RagContextArgs, RagQuestions, RagRetrieval, RagRetrieveOptions } from './rag-inputs.js';
export type { RagLabelsArgs } from './rag-forward.js';
export { RAG_GENERATE_ARG_KEYS, checkGenerateArgs, type RagGenerateArgs } from './rag-generate-args.js';
export { RagTokenForGeneration, type RagTokenGenerateArgs } from './rag-token.js';
export { RagSequenceForGeneration, type RagSequenceGenerateArgs } from './rag-sequence.js';
export * from './generation/index.js';
