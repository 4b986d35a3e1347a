import { TOP_K_MAX_K, type GenerationConfig, type GenerationConfigFields } from '@rag-web/core';
import { InvalidInputError } from './errors.js';
import type { LogitsProcessor, PrefixAllowedTokensFn } from './generation/logits-processors.js';
import { contextCopyConstraint } from './generation/context-copy.js';
import { buildLogitsProcessors } from './generation/logits-processor-list.js';
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
  const { maxLength, minLength, numBeams, numReturnSequences, noRepeatNgramSize, lengthPenalty, earlyStopping } = args;
  const { bosTokenId, eosTokenId, padTokenId, decoderStartTokenId, forcedBosTokenId, forcedEosTokenId, badWordsIds, useCache } = args;
  const generation = base.with({
    maxLength,
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
  });
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
