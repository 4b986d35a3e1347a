import { pooledOutputSize, type Embedder, type QuestionEncoderConfig } from '@rag-web/core';
import { InvalidInputError } from './errors.js';
import type { HfTokenizer } from './tokenizer/hf-tokenizer.js';
import type { OnnxSession } from './ort/onnx-session.js';
import type { Ort } from './ort/runtime.js';
import { int64Matrix, tensorFloat32 } from './ort/tensors.js';

/**
 * A DPR encoder graph (layouts.json: `dpr-question`, `dpr-ctx`, or a hub BERT feature extractor):
 * token ids → pooled output (batch × hidden), the vectors whose inner products are RAG's doc
 * scores. `pooling` says where that vector is: the graph's `pooler_output`, or the [CLS] row of
 * its `last_hidden_state` (DPR's pooler without a projection).
 */
export class DprEncoder {
  constructor(
    protected readonly ort: Ort,
    protected readonly session: OnnxSession,
    readonly config: QuestionEncoderConfig,
    private readonly pooling: 'pooler_output' | 'cls' = 'pooler_output',
  ) {}

  get dimension(): number {
    return pooledOutputSize(this.config);
  }

  /** Pooled outputs for already-tokenized rows (padded to one width). */
  async forward(inputIds: number[][], attentionMask: number[][], tokenTypeIds?: number[][]): Promise<Float32Array> {
    if (inputIds.length === 0) throw new InvalidInputError(`${this.session.name}: no input rows`);
    // Past its position table the graph reads out of bounds: onnxruntime-node dies of SIGSEGV.
    const longest = Math.max(...inputIds.map((r) => r.length));
    if (longest > this.config.maxPositionEmbeddings) {
      throw new InvalidInputError(
        `${this.session.name}: a row of ${longest} tokens exceeds max_position_embeddings = ${this.config.maxPositionEmbeddings}; truncate it (the tokenizers do, with truncation)`,
        { tokens: longest, maxPositionEmbeddings: this.config.maxPositionEmbeddings },
      );
    }
    const tokenTypes = tokenTypeIds ?? inputIds.map((row) => row.map(() => 0));
    const out = await this.session.run({
      input_ids: int64Matrix(this.ort, inputIds),
      attention_mask: int64Matrix(this.ort, attentionMask),
      token_type_ids: int64Matrix(this.ort, tokenTypes),
    });
    const output = out[this.pooling === 'cls' ? 'last_hidden_state' : 'pooler_output']!;
    const values = await tensorFloat32(output);
    output.dispose();
    const pooled = this.pooling === 'cls' ? clsRows(values, inputIds.length, this.dimension) : values;
    if (pooled.length !== inputIds.length * this.dimension) {
      throw new InvalidInputError(`${this.session.name}: pooled output has ${pooled.length} values, expected ${inputIds.length}×${this.dimension}`);
    }
    return pooled;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** Row 0 of each (seq × hidden) block of a (batch × seq × hidden) hidden state. */
function clsRows(hidden: Float32Array, batch: number, dim: number): Float32Array {
  const seq = hidden.length / (batch * dim);
  const out = new Float32Array(batch * dim);
  for (let b = 0; b < batch; b++) out.set(hidden.subarray(b * seq * dim, b * seq * dim + dim), b * dim);
  return out;
}

/** `DPRQuestionEncoder`: questions → (batch × hidden) pooled output. */
export class DPRQuestionEncoder extends DprEncoder {}

/**
 * `DPRContextEncoder`: `(title, text)` passages → (n × hidden), batched; implements core's
 * `Embedder` so the retriever can embed passages without knowing about ONNX.
 */
export class DPRContextEncoder extends DprEncoder implements Embedder {
  constructor(
    ort: Ort,
    session: OnnxSession,
    config: QuestionEncoderConfig,
    pooling: 'pooler_output' | 'cls',
    private readonly tokenizer: HfTokenizer,
    readonly modelId: string,
    private readonly batchSize = 16,
  ) {
    super(ort, session, config, pooling);
  }

  async embed(passages: Array<{ title: string; text: string }>, options: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const out = new Float32Array(passages.length * this.dimension);
    for (let start = 0; start < passages.length; start += this.batchSize) {
      options.signal?.throwIfAborted();
      const batch = passages.slice(start, start + this.batchSize);
      // DPR context encoders take the (title, text) pair: [CLS] title [SEP] text [SEP].
      const enc = this.tokenizer.encodePairs(
        batch.map((p) => [p.title, p.text]),
        this.tokenizer.modelMaxLength ?? this.config.maxPositionEmbeddings,
      );
      out.set(await this.forward(enc.inputIds, enc.attentionMask, enc.tokenTypeIds), start * this.dimension);
    }
    return out;
  }
}
