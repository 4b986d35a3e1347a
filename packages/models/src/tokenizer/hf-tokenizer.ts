import { Tokenizer } from '@huggingface/tokenizers';
import type { BatchEncoding, EncodeOptions, TextTokenizer } from '@rag-web/core';
import { TokenizerMismatchError } from '../errors.js';

export interface TokenizerFiles {
  /** Parsed `tokenizer.json`. */
  tokenizerJson: Record<string, unknown>;
  /** Parsed `tokenizer_config.json`. */
  tokenizerConfig: Record<string, unknown>;
}

/**
 * A Hugging Face fast tokenizer (`tokenizer.json`) with the padding and truncation behaviour of
 * `PreTrainedTokenizerFast.__call__`: right padding with the pad token, and truncation of the
 * text only, so the special tokens of the post-processor (`<s> … </s>`, `[CLS] … [SEP]`) survive.
 */
export class HfTokenizer implements TextTokenizer {
  readonly padTokenId: number;
  readonly vocabSize: number;
  readonly modelMaxLength: number | undefined;
  private readonly tokenizer: Tokenizer;
  private tokenList: string[] | undefined;

  constructor(files: TokenizerFiles, what = 'tokenizer') {
    this.tokenizer = new Tokenizer(files.tokenizerJson, files.tokenizerConfig);
    const padToken = tokenString(files.tokenizerConfig.pad_token);
    const padId = padToken === undefined ? undefined : this.tokenizer.token_to_id(padToken);
    if (padId === undefined) {
      throw new TokenizerMismatchError(`${what}: pad token ${JSON.stringify(padToken)} is not in the vocabulary`, { padToken });
    }
    this.padTokenId = padId;
    this.vocabSize = this.tokenizer.get_vocab(true).size;
    const max = files.tokenizerConfig.model_max_length;
    this.modelMaxLength = typeof max === 'number' && max < 1e9 ? max : undefined;
  }

  /** Ids of one text with the post-processor's special tokens, truncated to `maxLength` if given. */
  encode(text: string, maxLength?: number): number[] {
    const full = this.tokenizer.encode(maxLength === undefined ? text : clipForTokens(text, maxLength)).ids;
    if (maxLength === undefined || full.length <= maxLength) return full;
    const content = this.tokenizer.encode(clipForTokens(text, maxLength), { add_special_tokens: false }).ids;
    const prefix = full.length - content.length > 0 ? leadingSpecials(full, content) : 0;
    const specials = full.length - content.length;
    if (maxLength < specials) throw new RangeError(`maxLength ${maxLength} leaves no room for ${specials} special tokens`);
    return [...full.slice(0, prefix), ...content.slice(0, maxLength - specials), ...full.slice(prefix + content.length)];
  }

  encodeBatch(texts: string[], options: EncodeOptions = {}): BatchEncoding {
    const { maxLength, padding = 'longest', truncation = maxLength !== undefined } = options;
    const rows = texts.map((t) => this.encode(t, truncation ? maxLength : undefined));
    const width =
      padding === 'max_length' ? Math.max(maxLength ?? 0, ...rows.map((r) => r.length)) : padding === 'longest' ? Math.max(0, ...rows.map((r) => r.length)) : 0;
    return {
      inputIds: rows.map((r) => (r.length < width ? [...r, ...new Array<number>(width - r.length).fill(this.padTokenId)] : r)),
      attentionMask: rows.map((r) => {
        const len = Math.max(width, r.length);
        return Array.from({ length: len }, (_, i) => (i < r.length ? 1 : 0));
      }),
    };
  }

  /**
   * `tokenizer(firsts, seconds, truncation=True, max_length=…, padding='longest')` for text pairs
   * (DPR's `(title, text)`), with token type ids and the 'longest_first' truncation strategy.
   */
  encodePairs(pairs: Array<[string, string]>, maxLength: number): BatchEncoding & { tokenTypeIds: number[][] } {
    const rows = pairs.map(([a, b]) => this.encodePair(a, b, maxLength));
    const width = Math.max(0, ...rows.map((r) => r.ids.length));
    const pad = <T>(row: T[], value: T): T[] => [...row, ...new Array<T>(width - row.length).fill(value)];
    return {
      inputIds: rows.map((r) => pad(r.ids, this.padTokenId)),
      attentionMask: rows.map((r) => pad(r.ids.map(() => 1), 0)),
      tokenTypeIds: rows.map((r) => pad(r.typeIds, 0)),
    };
  }

  private encodePair(firstText: string, secondText: string, maxLength: number): { ids: number[]; typeIds: number[] } {
    const first = clipForTokens(firstText, maxLength);
    const second = clipForTokens(secondText, maxLength);
    const full = this.tokenizer.encode(first, { text_pair: second, return_token_type_ids: true });
    if (full.ids.length <= maxLength) return { ids: full.ids, typeIds: full.token_type_ids };
    const a = this.tokenizer.encode(first, { add_special_tokens: false }).ids;
    const b = this.tokenizer.encode(second, { add_special_tokens: false }).ids;
    let excess = full.ids.length - maxLength;
    // longest_first: drop one token at a time from the end of whichever is longer (the second on ties).
    let lenA = a.length;
    let lenB = b.length;
    while (excess > 0) {
      if (lenA > lenB) lenA--;
      else lenB--;
      excess--;
    }
    // Rebuild around the specials: [prefix] a [mid] b [suffix], as the template processor lays them out.
    const prefix = leadingSpecials(full.ids, a);
    const mid = leadingSpecials(full.ids.slice(prefix + a.length), b);
    const ids = [
      ...full.ids.slice(0, prefix),
      ...a.slice(0, lenA),
      ...full.ids.slice(prefix + a.length, prefix + a.length + mid),
      ...b.slice(0, lenB),
      ...full.ids.slice(prefix + a.length + mid + b.length),
    ];
    const typeA = full.token_type_ids[prefix] ?? 0;
    const typeB = full.token_type_ids[prefix + a.length + mid] ?? 1;
    const typeIds = [
      ...full.token_type_ids.slice(0, prefix),
      ...new Array<number>(lenA).fill(typeA),
      ...full.token_type_ids.slice(prefix + a.length, prefix + a.length + mid),
      ...new Array<number>(lenB).fill(typeB),
      ...full.token_type_ids.slice(prefix + a.length + mid + b.length),
    ];
    return { ids, typeIds };
  }

  decode(ids: number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  batchDecode(ids: number[][], options: { skipSpecialTokens?: boolean } = {}): string[] {
    return ids.map((row) => this.decode(row, options));
  }

  /** Token strings by id (`convert_ids_to_tokens` of every id), built on first use. */
  get tokens(): readonly string[] {
    if (!this.tokenList) {
      const list = new Array<string>(this.vocabSize).fill('');
      for (const [token, id] of this.tokenizer.get_vocab(true)) list[id] = token;
      this.tokenList = list;
    }
    return this.tokenList;
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }
}

/**
 * No token of real text spans this many characters, so the first `maxTokens` tokens of a text
 * lie in its first `maxTokens * CHARS_PER_TOKEN` characters: a 50 MB passage truncated to 512
 * tokens is tokenized as the 32 kB it is read as, not whole.
 */
const CHARS_PER_TOKEN = 64;

/** `text` cut to what truncation to `maxTokens` can keep, at a space so the last kept word is whole. */
function clipForTokens(text: string, maxTokens: number): string {
  const limit = maxTokens * CHARS_PER_TOKEN;
  if (text.length <= limit) return text;
  const space = text.lastIndexOf(' ', limit);
  return text.slice(0, space > limit / 2 ? space : limit);
}

function tokenString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** Number of special tokens the post-processor put before the text's own ids. */
function leadingSpecials(full: number[], content: number[]): number {
  for (let p = 0; p + content.length <= full.length; p++) {
    if (content.every((id, i) => full[p + i] === id)) return p;
  }
  throw new TokenizerMismatchError('the post-processor does not keep the text ids contiguous; cannot truncate like transformers');
}
