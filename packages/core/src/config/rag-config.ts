import { RagConfigError } from '../errors.js';
import { checks, checkFields, defaultsOf, pickFields, readFields, writeFields, type FieldTable } from './field-table.js';
import {
  readGeneratorConfig,
  readQuestionEncoderConfig,
  type GeneratorConfig,
  type QuestionEncoderConfig,
  type SubConfig,
} from './sub-configs.js';

/** `index_name` values that transformers' RagRetriever understands. */
export const RAG_INDEX_NAMES = Object.freeze(['legacy', 'compressed', 'exact', 'no_index', 'custom'] as const);
export type RagIndexName = (typeof RAG_INDEX_NAMES)[number];

/** Every field of `transformers.RagConfig` except the two sub-configs, camelCased, with its defaults. */
export interface RagConfigFields {
  vocabSize: number | null;
  isEncoderDecoder: boolean;
  prefix: string | null;
  bosTokenId: number | null;
  padTokenId: number | null;
  eosTokenId: number | null;
  decoderStartTokenId: number | null;
  titleSep: string;
  docSep: string;
  nDocs: number;
  maxCombinedLength: number;
  retrievalVectorSize: number;
  retrievalBatchSize: number;
  dataset: string;
  datasetSplit: string;
  datasetRevision: string | null;
  indexName: RagIndexName;
  indexPath: string | null;
  passagesPath: string | null;
  useDummyDataset: boolean;
  reduceLoss: boolean;
  labelSmoothing: number;
  doDeduplication: boolean;
  excludeBosScore: boolean;
  doMarginalize: boolean;
  outputRetrieved: boolean;
  useCache: boolean;
  forcedEosTokenId: number | number[] | null;
}

const ragFields: FieldTable<RagConfigFields> = {
  vocabSize: { key: 'vocab_size', default: null, check: (v) => (v === null ? undefined : checks.positiveInt(v)) },
  isEncoderDecoder: { key: 'is_encoder_decoder', default: true, check: checks.boolean },
  prefix: { key: 'prefix', default: null, check: checks.nullableString },
  bosTokenId: { key: 'bos_token_id', default: null, check: checks.nullableTokenId },
  padTokenId: { key: 'pad_token_id', default: null, check: checks.nullableTokenId },
  eosTokenId: { key: 'eos_token_id', default: null, check: checks.nullableTokenId },
  decoderStartTokenId: { key: 'decoder_start_token_id', default: null, check: checks.nullableTokenId },
  titleSep: { key: 'title_sep', default: ' / ', check: checks.string },
  docSep: { key: 'doc_sep', default: ' // ', check: checks.string },
  nDocs: { key: 'n_docs', default: 5, check: checks.positiveInt },
  maxCombinedLength: { key: 'max_combined_length', default: 300, check: checks.positiveInt },
  retrievalVectorSize: { key: 'retrieval_vector_size', default: 768, check: checks.positiveInt },
  retrievalBatchSize: { key: 'retrieval_batch_size', default: 8, check: checks.positiveInt },
  dataset: { key: 'dataset', default: 'wiki_dpr', check: checks.string },
  datasetSplit: { key: 'dataset_split', default: 'train', check: checks.string },
  datasetRevision: { key: 'dataset_revision', default: null, check: checks.nullableString },
  indexName: { key: 'index_name', default: 'compressed', check: checks.oneOf(...RAG_INDEX_NAMES) },
  indexPath: { key: 'index_path', default: null, check: checks.nullableString },
  passagesPath: { key: 'passages_path', default: null, check: checks.nullableString },
  useDummyDataset: { key: 'use_dummy_dataset', default: false, check: checks.boolean },
  reduceLoss: { key: 'reduce_loss', default: false, check: checks.boolean },
  labelSmoothing: { key: 'label_smoothing', default: 0, check: checks.probability },
  doDeduplication: { key: 'do_deduplication', default: true, check: checks.boolean },
  excludeBosScore: { key: 'exclude_bos_score', default: false, check: checks.boolean },
  doMarginalize: { key: 'do_marginalize', default: false, check: checks.boolean },
  outputRetrieved: { key: 'output_retrieved', default: false, check: checks.boolean },
  useCache: { key: 'use_cache', default: true, check: checks.boolean },
  forcedEosTokenId: { key: 'forced_eos_token_id', default: null, check: checks.nullableTokenIds },
};

/** Defaults of `transformers.RagConfig` (title_sep ' / ', doc_sep ' // ', n_docs 5, ...). */
export const RAG_CONFIG_DEFAULTS: Readonly<RagConfigFields> = Object.freeze(defaultsOf(ragFields));

/**
 * `transformers.RagConfig`, camelCased: the RAG fields plus the `question_encoder` (DPR) and
 * `generator` (BART) sub-configs. Read from a HF `config.json` with `RagConfig.fromJson`.
 */
export class RagConfig implements RagConfigFields {
  readonly modelType = 'rag';
  readonly architectures: string[];
  readonly questionEncoder: QuestionEncoderConfig;
  readonly generator: GeneratorConfig;
  /** Untouched sub-config JSON (everything transformers wrote, including fields we do not use). */
  readonly questionEncoderJson: Record<string, unknown>;
  readonly generatorJson: Record<string, unknown>;

  declare vocabSize: number | null;
  declare isEncoderDecoder: boolean;
  declare prefix: string | null;
  declare bosTokenId: number | null;
  declare padTokenId: number | null;
  declare eosTokenId: number | null;
  declare decoderStartTokenId: number | null;
  declare titleSep: string;
  declare docSep: string;
  declare nDocs: number;
  declare maxCombinedLength: number;
  declare retrievalVectorSize: number;
  declare retrievalBatchSize: number;
  declare dataset: string;
  declare datasetSplit: string;
  declare datasetRevision: string | null;
  declare indexName: RagIndexName;
  declare indexPath: string | null;
  declare passagesPath: string | null;
  declare useDummyDataset: boolean;
  declare reduceLoss: boolean;
  declare labelSmoothing: number;
  declare doDeduplication: boolean;
  declare excludeBosScore: boolean;
  declare doMarginalize: boolean;
  declare outputRetrieved: boolean;
  declare useCache: boolean;
  declare forcedEosTokenId: number | number[] | null;

  private constructor(
    fields: RagConfigFields,
    questionEncoder: SubConfig<QuestionEncoderConfig>,
    generator: SubConfig<GeneratorConfig>,
    architectures: string[],
  ) {
    checkFields('RagConfig', fields, ragFields);
    Object.assign(this, fields);
    this.questionEncoder = questionEncoder.fields;
    this.questionEncoderJson = questionEncoder.json;
    this.generator = generator.fields;
    this.generatorJson = generator.json;
    this.architectures = architectures;
  }

  /** Parses a HF RAG `config.json` object (snake_case), validating every field. */
  static fromJson(json: unknown): RagConfig {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new RagConfigError(`RagConfig: config.json must be a JSON object, got ${JSON.stringify(json)}`);
    }
    const obj = json as Record<string, unknown>;
    if (obj.model_type !== undefined && obj.model_type !== 'rag') {
      throw new RagConfigError(`RagConfig: model_type is "${String(obj.model_type)}", expected "rag"`);
    }
    // transformers raises the same way: a RagConfig needs both sub-configs.
    if (obj.question_encoder === undefined || obj.generator === undefined) {
      throw new RagConfigError('RagConfig: config.json needs both "question_encoder" and "generator" sub-configs');
    }
    const architectures = Array.isArray(obj.architectures) ? obj.architectures.filter((a): a is string => typeof a === 'string') : [];
    return new RagConfig(
      readFields('RagConfig', obj, ragFields),
      readQuestionEncoderConfig(obj.question_encoder),
      readGeneratorConfig(obj.generator),
      architectures,
    );
  }

  /** `RagConfig.from_question_encoder_generator_configs(question_encoder_config, generator_config, **kwargs)`. */
  static fromQuestionEncoderGeneratorConfigs(
    questionEncoderJson: unknown,
    generatorJson: unknown,
    overrides: Partial<RagConfigFields> = {},
  ): RagConfig {
    return new RagConfig(
      { ...RAG_CONFIG_DEFAULTS, ...overrides },
      readQuestionEncoderConfig(questionEncoderJson),
      readGeneratorConfig(generatorJson),
      [],
    );
  }

  /** A copy with some fields replaced (validated), e.g. `config.with({ nDocs: 3 })`. */
  with(overrides: Partial<RagConfigFields>): RagConfig {
    return new RagConfig(
      { ...this.fields(), ...overrides },
      { fields: this.questionEncoder, json: this.questionEncoderJson },
      { fields: this.generator, json: this.generatorJson },
      this.architectures,
    );
  }

  fields(): RagConfigFields {
    return pickFields(this, ragFields);
  }

  /** Back to the snake_case `config.json` layout transformers reads. */
  toJson(): Record<string, unknown> {
    return {
      architectures: this.architectures,
      model_type: 'rag',
      ...writeFields(this.fields(), ragFields),
      question_encoder: this.questionEncoderJson,
      generator: this.generatorJson,
    };
  }
}
