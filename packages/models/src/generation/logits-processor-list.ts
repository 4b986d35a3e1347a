import type { GenerationConfigFields, RowEdit } from '@rag-web/core';
import { foldRowEdits } from './logits-edits.js';
import {
  checkProcessorInputs,
  ForcedBOSTokenLogitsProcessor,
  ForcedEOSTokenLogitsProcessor,
  MinLengthLogitsProcessor,
  NoBadWordsLogitsProcessor,
  NoRepeatNGramLogitsProcessor,
  PrefixConstrainedLogitsProcessor,
  type InputIds,
  type LogitsProcessor,
  type PrefixAllowedTokensFn,
} from './logits-processors.js';

/** `LogitsProcessorList`: applies its processors in order. */
export class LogitsProcessorList implements LogitsProcessor {
  readonly processors: readonly LogitsProcessor[];

  constructor(processors: readonly LogitsProcessor[] = []) {
    this.processors = [...processors];
  }

  get length(): number {
    return this.processors.length;
  }

  /**
   * Every processor's edits for this step in order, folded into one edit per row (`foldRowEdits`):
   * applied once, they give what the processors give applied one after another.
   */
  edits(inputIds: InputIds, vocabSize: number): Array<RowEdit | undefined> {
    checkProcessorInputs('LogitsProcessorList', inputIds, null, vocabSize);
    const out: Array<RowEdit | undefined> = new Array(inputIds.length).fill(undefined);
    for (const p of this.processors) p.edits(inputIds, vocabSize).forEach((e, r) => (out[r] = foldRowEdits(out[r], e)));
    return out;
  }
}

/** The GenerationConfig fields that decide which processors generation builds. */
export type LogitsProcessorConfig = Pick<
  GenerationConfigFields,
  'maxLength' | 'minLength' | 'numBeams' | 'noRepeatNgramSize' | 'eosTokenId' | 'forcedBosTokenId' | 'forcedEosTokenId' | 'badWordsIds'
>;

export interface BuildLogitsProcessorsOptions {
  /** `generate(prefix_allowed_tokens_fn=...)`. */
  prefixAllowedTokensFn?: PrefixAllowedTokensFn;
  /**
   * `generate(logits_processor=...)`: a custom processor replaces the built one of the same class,
   * in its place; the others are appended (transformers' `_merge_criteria_processor_list`).
   */
  logitsProcessor?: readonly LogitsProcessor[];
}

/**
 * `GenerationMixin._get_logits_processor`, restricted to the fields RAG generation reads, in
 * transformers' order: NoRepeatNGram, NoBadWords, MinLength, PrefixConstrained, ForcedBOS,
 * ForcedEOS. The order matters: ForcedEOS runs last and so overrides a ban on EOS.
 */
export function buildLogitsProcessors(config: LogitsProcessorConfig, options: BuildLogitsProcessorsOptions = {}): LogitsProcessorList {
  const built: LogitsProcessor[] = [];
  if (config.noRepeatNgramSize > 0) built.push(new NoRepeatNGramLogitsProcessor(config.noRepeatNgramSize));
  if (config.badWordsIds !== null) built.push(new NoBadWordsLogitsProcessor(config.badWordsIds, config.eosTokenId));
  if (config.minLength > 0 && config.eosTokenId !== null) built.push(new MinLengthLogitsProcessor(config.minLength, config.eosTokenId));
  if (options.prefixAllowedTokensFn !== undefined) {
    built.push(new PrefixConstrainedLogitsProcessor(options.prefixAllowedTokensFn, config.numBeams));
  }
  if (config.forcedBosTokenId !== null) built.push(new ForcedBOSTokenLogitsProcessor(config.forcedBosTokenId));
  if (config.forcedEosTokenId !== null) built.push(new ForcedEOSTokenLogitsProcessor(config.maxLength, config.forcedEosTokenId));

  const custom = options.logitsProcessor ?? [];
  const merged = built.map((p) => custom.find((c) => c.constructor === p.constructor) ?? p);
  for (const c of custom) if (!merged.includes(c)) merged.push(c);
  return new LogitsProcessorList(merged);
}
