// Test-only TextTokenizer over @huggingface/tokenizers (a devDependency): the real tokenizer class
// lives in the models package, which the retriever must not import. Reproduces what
// `transformers` does for one sequence: special tokens added by the post-processor, truncation
// that keeps the closing special token last (ids[:max-1] + [eos]), padding with the pad id.
import { Tokenizer } from '@huggingface/tokenizers';
import type { BatchEncoding, EncodeOptions, TextTokenizer } from '@rag-web/core';

export class HfTestTokenizer implements TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly padId: number;

  constructor(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown>) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    const padToken = (tokenizerConfig.pad_token as string | undefined) ?? '<pad>';
    const padId = this.tokenizer.token_to_id(padToken);
    if (padId === undefined) throw new Error(`pad token ${padToken} is not in the vocabulary`);
    this.padId = padId;
  }

  encodeBatch(texts: string[], options: EncodeOptions = {}): BatchEncoding {
    const { maxLength, padding = false, truncation = false } = options;
    let rows = texts.map((t) => this.tokenizer.encode(t).ids);
    if (truncation && maxLength !== undefined) rows = rows.map((ids) => (ids.length > maxLength ? [...ids.slice(0, maxLength - 1), ids[ids.length - 1]!] : ids));
    const width = padding === 'max_length' && maxLength !== undefined ? maxLength : padding === 'longest' ? Math.max(...rows.map((r) => r.length)) : 0;
    const inputIds = rows.map((ids) => [...ids, ...Array<number>(Math.max(0, width - ids.length)).fill(this.padId)]);
    const attentionMask = rows.map((ids, i) => inputIds[i]!.map((_, j) => (j < ids.length ? 1 : 0)));
    return { inputIds, attentionMask };
  }

  batchDecode(ids: number[][], options: { skipSpecialTokens?: boolean } = {}): string[] {
    return ids.map((row) => this.tokenizer.decode(row, { skip_special_tokens: options.skipSpecialTokens ?? false }));
  }
}
