import type { RagSequenceGenerateArgs } from '@rag-web/models';
import { choiceValue, flag, intValue, stringValue, type OptionSpec, type ParsedValues } from './cli-options.js';
import { UsageError } from './errors.js';
import type { LoadedModel } from './model-folder.js';

export const N_DOCS_OPTION: OptionSpec = { name: 'n-docs', value: 'N', description: 'documents retrieved per question', default: "n_docs of the model's config.json" };

export const DECODINGS = Object.freeze(['free', 'copy'] as const);

/** The `generate` keyword arguments as flags; every default comes from the model folder, as in transformers. */
export const GENERATION_OPTIONS: OptionSpec[] = [
  N_DOCS_OPTION,
  { name: 'num-beams', value: 'K', description: 'beam width (1: greedy)', default: 'num_beams of generation_config.json, else 1' },
  { name: 'num-return-sequences', value: 'R', description: 'answers per question (≤ --num-beams)', default: 'num_return_sequences of generation_config.json, else 1' },
  { name: 'min-length', value: 'L', description: 'minimum generated length in tokens', default: 'min_length of generation_config.json, else 0' },
  { name: 'max-length', value: 'L', description: 'maximum generated length in tokens, decoder start included', default: 'max_length of generation_config.json, else 20' },
  { name: 'no-repeat-ngram-size', value: 'S', description: 'forbid repeating any n-gram of this size (0: off)', default: 'no_repeat_ngram_size of generation_config.json, else 0' },
  { name: 'forced-eos-token-id', value: 'ID|[IDS]', description: 'token id(s) forced as the last token at max length, e.g. 2 or [2,0]', default: 'forced_eos_token_id of generation_config.json' },
  { name: 'bad-words-ids', value: '[[IDS]]', description: 'token sequences never generated, as JSON, e.g. [[19],[302,81]]', default: 'bad_words_ids of generation_config.json' },
  { name: 'no-dedup', description: 'RAG-Sequence: keep duplicate candidates (do_deduplication=False)', default: 'false (do_deduplication of config.json)' },
  {
    name: 'decoding',
    value: DECODINGS.join('|'),
    description: 'free: the generator writes any tokens; copy: only spans of the retrieved passages (a prefix_allowed_tokens_fn)',
    default: 'copy for the embedded world-facts model, else free',
  },
];

export interface GenerationRequest {
  nDocs: number;
  /** Keyword arguments for `generate`, without the contexts. */
  args: Omit<RagSequenceGenerateArgs, 'contextInputIds' | 'contextAttentionMask' | 'docScores'>;
}

/** The generation flags, parsed and range-checked before anything is loaded. */
export interface GenerationFlags {
  nDocs: number | undefined;
  args: GenerationRequest['args'];
  noDedup: boolean;
}

/** `copyByDefault`: the model's own default decoding is copy decoding (the embedded default model's). */
export function generationFlags(values: ParsedValues, copyByDefault = false): GenerationFlags {
  const args: GenerationRequest['args'] = {};
  if ((choiceValue(values, 'decoding', DECODINGS) ?? (copyByDefault ? 'copy' : 'free')) === 'copy') args.copyFromContexts = true;
  const ints: Array<[string, keyof GenerationRequest['args'], number]> = [
    ['num-beams', 'numBeams', 1],
    ['num-return-sequences', 'numReturnSequences', 1],
    ['min-length', 'minLength', 0],
    ['max-length', 'maxLength', 1],
    ['no-repeat-ngram-size', 'noRepeatNgramSize', 0],
  ];
  for (const [name, key, min] of ints) {
    const v = intValue(values, name, min);
    if (v !== undefined) (args as Record<string, unknown>)[key] = v;
  }
  const forced = jsonValue(values, 'forced-eos-token-id', isTokenIds, 'a token id or a JSON list of them');
  if (forced !== undefined) args.forcedEosTokenId = forced as number | number[];
  const badWords = jsonValue(values, 'bad-words-ids', (v) => Array.isArray(v) && v.length > 0 && v.every((w) => Array.isArray(w) && w.length > 0 && isTokenIds(w)), 'a JSON list of token-id lists');
  if (badWords !== undefined) args.badWordsIds = badWords as number[][];
  return { nDocs: intValue(values, 'n-docs', 1), args, noDedup: flag(values, 'no-dedup') };
}

function isTokenIds(v: unknown): boolean {
  const ok = (id: unknown) => Number.isInteger(id) && (id as number) >= 0;
  return ok(v) || (Array.isArray(v) && v.length > 0 && v.every(ok));
}

/** A flag whose value is JSON (as transformers' list-valued generate arguments), checked by `valid`. */
function jsonValue(values: ParsedValues, name: string, valid: (v: unknown) => boolean, what: string): unknown {
  const raw = stringValue(values, name);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(raw)}`);
  }
  if (!valid(parsed)) throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(raw)}`);
  return parsed;
}

/** The flags completed from the loaded model: `n_docs` from its config, variant-only flags checked. */
export function generationRequest(flags: GenerationFlags, model: LoadedModel): GenerationRequest {
  const nDocs = flags.nDocs ?? model.rag.config.nDocs;
  const args: GenerationRequest['args'] = { ...flags.args, nDocs };
  if (flags.noDedup) {
    if (model.variant !== 'sequence') throw new UsageError('--no-dedup applies to --rag sequence only (RAG-Token does not deduplicate)');
    args.doDeduplication = false;
  }
  return { nDocs, args };
}
