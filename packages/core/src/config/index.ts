export { RagConfig, RAG_CONFIG_DEFAULTS, RAG_INDEX_NAMES, type RagConfigFields, type RagIndexName } from './rag-config.js';
export { GenerationConfig, GENERATION_CONFIG_DEFAULTS, type GenerationConfigFields } from './generation-config.js';
export { pooledOutputSize, type GeneratorConfig, type QuestionEncoderConfig } from './sub-configs.js';
