import { RagConfigError } from '../errors.js';
import { checks, checkFields, defaultsOf, pickFields, readFields, writeFields, type FieldTable } from './field-table.js';
import type { RagConfig } from './rag-config.js';

/** The `generation_config.json` fields that RAG generation uses, camelCased, with HF's defaults. */
export interface GenerationConfigFields {
  maxLength: number;
  /** Tokens to generate after the decoder prompt; when set, it wins over `maxLength` (see `forPrompt`). */
  maxNewTokens: number | null;
  minLength: number;
  numBeams: number;
  numReturnSequences: number;
  noRepeatNgramSize: number;
  lengthPenalty: number;
  earlyStopping: boolean | 'never';
  bosTokenId: number | null;
  eosTokenId: number | null;
  padTokenId: number | null;
  decoderStartTokenId: number | null;
  forcedBosTokenId: number | null;
  forcedEosTokenId: number | number[] | null;
  badWordsIds: number[][] | null;
  useCache: boolean;
}

const generationFields: FieldTable<GenerationConfigFields> = {
  maxLength: { key: 'max_length', default: 20, check: checks.positiveInt },
  maxNewTokens: { key: 'max_new_tokens', default: null, check: checks.nullablePositiveInt },
  minLength: { key: 'min_length', default: 0, check: checks.nonNegativeInt },
  numBeams: { key: 'num_beams', default: 1, check: checks.positiveInt },
  numReturnSequences: { key: 'num_return_sequences', default: 1, check: checks.positiveInt },
  noRepeatNgramSize: { key: 'no_repeat_ngram_size', default: 0, check: checks.nonNegativeInt },
  lengthPenalty: { key: 'length_penalty', default: 1, check: checks.number },
  earlyStopping: { key: 'early_stopping', default: false, check: checks.oneOf(true, false, 'never') },
  bosTokenId: { key: 'bos_token_id', default: null, check: checks.nullableTokenId },
  eosTokenId: { key: 'eos_token_id', default: null, check: checks.nullableTokenId },
  padTokenId: { key: 'pad_token_id', default: null, check: checks.nullableTokenId },
  decoderStartTokenId: { key: 'decoder_start_token_id', default: null, check: checks.nullableTokenId },
  forcedBosTokenId: { key: 'forced_bos_token_id', default: null, check: checks.nullableTokenId },
  forcedEosTokenId: { key: 'forced_eos_token_id', default: null, check: checks.nullableTokenIds },
  badWordsIds: { key: 'bad_words_ids', default: null, check: checks.nullableIdLists },
  useCache: { key: 'use_cache', default: true, check: checks.boolean },
};

export const GENERATION_CONFIG_DEFAULTS: Readonly<GenerationConfigFields> = Object.freeze(defaultsOf(generationFields));

/** `transformers.GenerationConfig`, restricted to what RAG generation reads. */
export class GenerationConfig implements GenerationConfigFields {
  declare maxLength: number;
  declare maxNewTokens: number | null;
  declare minLength: number;
  declare numBeams: number;
  declare numReturnSequences: number;
  declare noRepeatNgramSize: number;
  declare lengthPenalty: number;
  declare earlyStopping: boolean | 'never';
  declare bosTokenId: number | null;
  declare eosTokenId: number | null;
  declare padTokenId: number | null;
  declare decoderStartTokenId: number | null;
  declare forcedBosTokenId: number | null;
  declare forcedEosTokenId: number | number[] | null;
  declare badWordsIds: number[][] | null;
  declare useCache: boolean;

  private constructor(fields: GenerationConfigFields) {
    checkFields('GenerationConfig', fields, generationFields);
    if (fields.numReturnSequences > fields.numBeams) {
      throw new RagConfigError(
        `GenerationConfig: num_return_sequences (${fields.numReturnSequences}) must not exceed num_beams (${fields.numBeams})`,
      );
    }
    // With max_new_tokens the length cap depends on the prompt: `forPrompt` checks it.
    if (fields.maxNewTokens === null && fields.minLength > fields.maxLength) {
      throw new RagConfigError(`GenerationConfig: min_length (${fields.minLength}) exceeds max_length (${fields.maxLength})`);
    }
    Object.assign(this, fields);
  }

  /** Parses a `generation_config.json` object; unknown keys (sampling etc.) are ignored. */
  static fromJson(json: unknown): GenerationConfig {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new RagConfigError(`GenerationConfig: generation_config.json must be a JSON object, got ${JSON.stringify(json)}`);
    }
    return new GenerationConfig(readFields('GenerationConfig', json as Record<string, unknown>, generationFields));
  }

  /**
   * `GenerationConfig.from_model_config`: token ids from the RAG config, falling back to the
   * generator's (RAG configs usually leave them null and the generator defines them).
   */
  static fromModelConfig(config: RagConfig): GenerationConfig {
    const g = config.generator;
    return new GenerationConfig({
      ...GENERATION_CONFIG_DEFAULTS,
      bosTokenId: config.bosTokenId ?? g.bosTokenId,
      eosTokenId: config.eosTokenId ?? g.eosTokenId,
      padTokenId: config.padTokenId ?? g.padTokenId,
      decoderStartTokenId: config.decoderStartTokenId ?? g.decoderStartTokenId,
      forcedBosTokenId: g.forcedBosTokenId,
      forcedEosTokenId: config.forcedEosTokenId ?? g.forcedEosTokenId,
      useCache: config.useCache,
    });
  }

  /** A copy with per-call overrides (the keyword arguments of `generate`), validated. */
  with(overrides: Partial<GenerationConfigFields>): GenerationConfig {
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    return new GenerationConfig({ ...this.fields(), ...defined });
  }

  /**
   * transformers' `_prepare_generated_length` for a decoder prompt of `promptLength` tokens: a set
   * `max_new_tokens` wins over `max_length` (transformers warns when both are given) and makes it
   * max_new_tokens + promptLength. Returns the config with that `maxLength` and no `maxNewTokens`.
   */
  forPrompt(promptLength: number): GenerationConfig {
    if (this.maxNewTokens === null) return this;
    const maxLength = this.maxNewTokens + promptLength;
    if (this.minLength > maxLength) {
      throw new RagConfigError(
        `GenerationConfig: min_length (${this.minLength}) exceeds max_new_tokens (${this.maxNewTokens}) + the ${promptLength}-token decoder prompt = ${maxLength}`,
      );
    }
    return new GenerationConfig({ ...this.fields(), maxLength, maxNewTokens: null });
  }

  fields(): GenerationConfigFields {
    return pickFields(this, generationFields);
  }

  toJson(): Record<string, unknown> {
    return writeFields(this.fields(), generationFields);
  }
}
