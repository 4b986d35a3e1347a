import { RagConfigError } from '../errors.js';
import { checks, readFields, type FieldTable } from './field-table.js';

/** The fields of a DPR (BERT) question/context encoder config that the runtime uses. */
export interface QuestionEncoderConfig {
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  /** 0 means no projection: the pooled output has `hiddenSize` dims. */
  projectionDim: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  maxPositionEmbeddings: number;
  padTokenId: number | null;
}

const questionEncoderFields: FieldTable<QuestionEncoderConfig> = {
  modelType: { key: 'model_type', default: 'dpr', check: checks.string },
  vocabSize: { key: 'vocab_size', default: 30522, check: checks.positiveInt },
  hiddenSize: { key: 'hidden_size', default: 768, check: checks.positiveInt },
  projectionDim: { key: 'projection_dim', default: 0, check: checks.nonNegativeInt },
  numHiddenLayers: { key: 'num_hidden_layers', default: 12, check: checks.positiveInt },
  numAttentionHeads: { key: 'num_attention_heads', default: 12, check: checks.positiveInt },
  maxPositionEmbeddings: { key: 'max_position_embeddings', default: 512, check: checks.positiveInt },
  padTokenId: { key: 'pad_token_id', default: 0, check: checks.nullableTokenId },
};

/** The fields of a BART generator config that the runtime uses. */
export interface GeneratorConfig {
  modelType: string;
  vocabSize: number;
  dModel: number;
  encoderLayers: number;
  decoderLayers: number;
  encoderAttentionHeads: number;
  decoderAttentionHeads: number;
  maxPositionEmbeddings: number;
  padTokenId: number | null;
  bosTokenId: number | null;
  eosTokenId: number | null;
  decoderStartTokenId: number | null;
  forcedBosTokenId: number | null;
  forcedEosTokenId: number | number[] | null;
  /** Text put before every context string (`RagModel` retrieves with `generator.config.prefix`). */
  prefix: string | null;
}

const generatorFields: FieldTable<GeneratorConfig> = {
  modelType: { key: 'model_type', default: 'bart', check: checks.string },
  vocabSize: { key: 'vocab_size', default: 50265, check: checks.positiveInt },
  dModel: { key: 'd_model', default: 1024, check: checks.positiveInt },
  encoderLayers: { key: 'encoder_layers', default: 12, check: checks.positiveInt },
  decoderLayers: { key: 'decoder_layers', default: 12, check: checks.positiveInt },
  encoderAttentionHeads: { key: 'encoder_attention_heads', default: 16, check: checks.positiveInt },
  decoderAttentionHeads: { key: 'decoder_attention_heads', default: 16, check: checks.positiveInt },
  maxPositionEmbeddings: { key: 'max_position_embeddings', default: 1024, check: checks.positiveInt },
  padTokenId: { key: 'pad_token_id', default: 1, check: checks.nullableTokenId },
  bosTokenId: { key: 'bos_token_id', default: 0, check: checks.nullableTokenId },
  eosTokenId: { key: 'eos_token_id', default: 2, check: checks.nullableTokenId },
  decoderStartTokenId: { key: 'decoder_start_token_id', default: 2, check: checks.nullableTokenId },
  forcedBosTokenId: { key: 'forced_bos_token_id', default: null, check: checks.nullableTokenId },
  forcedEosTokenId: { key: 'forced_eos_token_id', default: 2, check: checks.nullableTokenIds },
  prefix: { key: 'prefix', default: null, check: checks.nullableString },
};

/** A sub-config as read: the typed fields plus the untouched JSON, for a lossless round trip. */
export interface SubConfig<C> {
  fields: C;
  json: Record<string, unknown>;
}

function asObject(what: string, json: unknown): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new RagConfigError(`${what} must be a JSON object, got ${JSON.stringify(json)}`);
  }
  return json as Record<string, unknown>;
}

export function readQuestionEncoderConfig(json: unknown): SubConfig<QuestionEncoderConfig> {
  const obj = asObject('question_encoder config', json);
  const fields = readFields('question_encoder config', obj, questionEncoderFields);
  // A BERT feature extractor (a hub repo's config.json) is DPR without a projection: its [CLS] vector.
  if (fields.modelType !== 'dpr' && !(fields.modelType === 'bert' && fields.projectionDim === 0)) {
    throw new RagConfigError(`question_encoder config: model_type "${fields.modelType}" is not supported; expected "dpr" (or "bert", without a projection)`);
  }
  if (fields.hiddenSize % fields.numAttentionHeads !== 0) {
    throw new RagConfigError(`question_encoder config: hidden_size ${fields.hiddenSize} is not a multiple of num_attention_heads ${fields.numAttentionHeads}`);
  }
  return { fields, json: obj };
}

export function readGeneratorConfig(json: unknown): SubConfig<GeneratorConfig> {
  const obj = asObject('generator config', json);
  const fields = readFields('generator config', obj, generatorFields);
  if (fields.modelType !== 'bart') {
    throw new RagConfigError(`generator config: model_type "${fields.modelType}" is not supported; expected "bart"`);
  }
  if (fields.dModel % fields.decoderAttentionHeads !== 0 || fields.dModel % fields.encoderAttentionHeads !== 0) {
    throw new RagConfigError(`generator config: d_model ${fields.dModel} is not a multiple of the attention head counts`);
  }
  return { fields, json: obj };
}

/** Size of the question encoder's pooled output: the projection if any, else the hidden size. */
export function pooledOutputSize(config: QuestionEncoderConfig): number {
  return config.projectionDim > 0 ? config.projectionDim : config.hiddenSize;
}
