import { GENERATION_CONFIG_DEFAULTS, TOP_K_MAX_K, type GenerationConfig, type GenerationConfigFields } from '@rag-web/core';
import { InvalidInputError } from './errors.js';
import type { LogitsProcessor, PrefixAllowedTokensFn } from './generation/logits-processors.js';
import { contextCopyConstraint } from './generation/context-copy.js';
import { buildLogitsProcessors } from './generation/logits-processor-list.js';
import { checkOptionKeys, optionKeysOf, type OptionKeys } from './option-keys.js';
import type { RagContextArgs } from './rag-inputs.js';
import type { RagTokenizer } from './tokenizer/rag-tokenizer.js';

/** `generate` keyword arguments of the RAG classes, camelCased (each overrides generation_config.json). */
export interface RagGenerateArgs extends RagContextArgs, Partial<GenerationConfigFields> {
  prefixAllowedTokensFn?: PrefixAllowedTokensFn;
  /** Extra processors; one of a built-in class replaces that one (transformers' merge rule). */
  logitsProcessor?: LogitsProcessor[];
  signal?: AbortSignal;
  /**
   * Copy decoding (generation/context-copy.ts): the answer is a span of the retrieved contexts.
   * Not a transformers argument: there, the same rule is a `prefix_allowed_tokens_fn`.
   */
  copyFromContexts?: boolean;
}

/** Every key of RagGenerateArgs; the generation fields come from core's GenerationConfig. */
export const RAG_GENERATE_ARG_KEYS: OptionKeys<RagGenerateArgs> = {
  ...optionKeysOf<GenerationConfigFields>(GENERATION_CONFIG_DEFAULTS),
  inputIds: true,
  attentionMask: true,
  contextInputIds: true,
  contextAttentionMask: true,
  docScores: true,
  nDocs: true,
  prefix: true,
  prefixAllowedTokensFn: true,
  logitsProcessor: true,
  signal: true,
  copyFromContexts: true,
};

/** RAG generate's decoder prompt: the decoder start token. */
const DECODER_PROMPT_LENGTH = 1;

// transformers' RAG generate also samples (do_sample=True, GenerationMode.SAMPLE / BEAM_SAMPLE).
const SAMPLING = 'sampling is not implemented here; generate is greedy search (numBeams: 1) or beam search (numBeams > 1), both deterministic';
/** transformers arguments that generate knows but does not implement, and what to do instead. */
const UNSUPPORTED_ARGS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(['doSample', 'temperature', 'topK', 'topP', 'typicalP', 'minP', 'epsilonCutoff', 'etaCutoff'].map((key) => [key, SAMPLING])),
  minNewTokens: `give minLength = min_new_tokens + ${DECODER_PROMPT_LENGTH} instead (the decoder prompt is the decoder start token)`,
};

/**
 * `generate`'s argument check: an unknown key (`max_new_tokens`, `numBeam`) is an
 * UnknownOptionError naming the closest of `keys`, a sampling one (or `minNewTokens`) an UnsupportedOptionError.
 */
export function checkGenerateArgs(what: string, args: object, keys: Readonly<Record<string, true>>): void {
  checkOptionKeys(what, args, keys, UNSUPPORTED_ARGS);
}

/**
 * `args` with copy decoding turned into its `prefixAllowedTokensFn` over `contexts` (per generator
 * batch item, its context rows); `args` as given without `copyFromContexts`.
 */
export function withCopyConstraint<A extends RagGenerateArgs>(args: A, generationConfig: GenerationConfig, tokenizer: RagTokenizer, contexts: number[][][]): A {
  if (!args.copyFromContexts) return args;
  if (args.prefixAllowedTokensFn) throw new InvalidInputError('copyFromContexts and prefixAllowedTokensFn are two constraints on the same tokens: give one');
  const { eosTokenId, padTokenId, bosTokenId, decoderStartTokenId } = args;
  const g = generationConfig.with({ eosTokenId, padTokenId, bosTokenId, decoderStartTokenId });
  const eos = g.eosTokenId;
  if (eos === null) throw new InvalidInputError('copyFromContexts needs an eos_token_id to end a copied span');
  const specialIds = [g.padTokenId, g.bosTokenId, eos, g.decoderStartTokenId].filter((id): id is number => id !== null);
  return { ...args, prefixAllowedTokensFn: contextCopyConstraint({ contexts, tokens: tokenizer.generator.tokens, specialIds, eosTokenId: eos }) };
}

export function generationSettings(base: GenerationConfig, args: RagGenerateArgs): { generation: GenerationConfig; processors: LogitsProcessor } {
  const { maxLength, maxNewTokens, minLength, numBeams, numReturnSequences, noRepeatNgramSize, lengthPenalty, earlyStopping } = args;
  const { bosTokenId, eosTokenId, padTokenId, decoderStartTokenId, forcedBosTokenId, forcedEosTokenId, badWordsIds, useCache } = args;
  // The decoder prompt is the decoder start token alone, so maxNewTokens n means maxLength n + 1:
  // what transformers does in RagSequence's per-document generate (its RagTokenForGeneration.generate
  // skips `_prepare_generated_length` and ignores max_new_tokens; here both classes honour it).
  const generation = base
    .with({
      maxLength,
      maxNewTokens,
      minLength,
      numBeams,
      numReturnSequences,
      noRepeatNgramSize,
      lengthPenalty,
      earlyStopping,
      bosTokenId,
      eosTokenId,
      padTokenId,
      decoderStartTokenId,
      forcedBosTokenId,
      forcedEosTokenId,
      badWordsIds,
      useCache,
    })
    .forPrompt(DECODER_PROMPT_LENGTH);
  // Each beam step ranks 2·numBeams candidates per row (transformers' top-k) in one top-k pass.
  if (generation.numBeams * 2 > TOP_K_MAX_K) {
    throw new InvalidInputError(`numBeams = ${generation.numBeams}: at most ${TOP_K_MAX_K / 2} beams (each step ranks 2·numBeams candidates, with a top-k of at most ${TOP_K_MAX_K})`, {
      numBeams: generation.numBeams,
      max: TOP_K_MAX_K / 2,
    });
  }
  const processors = buildLogitsProcessors(generation, {
    ...(args.prefixAllowedTokensFn ? { prefixAllowedTokensFn: args.prefixAllowedTokensFn } : {}),
    ...(args.logitsProcessor ? { logitsProcessor: args.logitsProcessor } : {}),
  });
  return { generation, processors };
}
