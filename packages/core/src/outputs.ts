/**
 * Output types of the RAG models, mirroring transformers' `RetrievAugLMOutput` and
 * `RetrievAugLMMarginOutput` (modeling_rag.py). Shapes use B = batch, n = nDocs,
 * T = target length, V = generator vocab, S = maxCombinedLength, H = retrievalVectorSize,
 * D = generator d_model. Tensors are row-major and live on the CPU unless a field says otherwise.
 */

export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint32Array;

/** A row-major host tensor: `data.length` equals the product of `dims`. */
export interface HostTensor<T extends TensorData = Float32Array> {
  data: T;
  dims: readonly number[];
}

/** `RetrievAugLMOutput`: what `RagModel.forward` returns. */
export interface RetrievAugLMOutput {
  /** (B·n × T × V) generator logits per retrieved document, not marginalized. */
  logits: HostTensor;
  /** (B × n) inner products of the question with each retrieved document. */
  docScores: HostTensor;
  /** (B·n × S) generator ids of `title / text // question`; only with outputRetrieved or when retrieval ran. */
  contextInputIds?: HostTensor<Int32Array>;
  /** (B·n × S). */
  contextAttentionMask?: HostTensor<Int32Array>;
  /** (B × n × H); only with outputRetrieved. */
  retrievedDocEmbeds?: HostTensor;
  /** (B × n); only with outputRetrieved. */
  retrievedDocIds?: HostTensor<Int32Array>;
  /** (B × H) pooled output of the question encoder; when the model ran it. */
  questionEncoderLastHiddenState?: HostTensor;
  /** (B·n × S × D) last hidden state of the generator encoder. */
  generatorEncLastHiddenState?: HostTensor;
}

/** `RetrievAugLMMarginOutput`: what `RagTokenForGeneration` / `RagSequenceForGeneration.forward` return. */
export interface RetrievAugLMMarginOutput extends Omit<RetrievAugLMOutput, 'logits'> {
  /**
   * Without labels: (B·n × T × V) raw logits; RAG-Token with doMarginalize: (B × T × V)
   * marginalized log-probabilities.
   */
  logits: HostTensor;
  /** With labels: (B) per-example NLL, or (1) when reduceLoss; label smoothing applied if set. */
  loss?: HostTensor;
}
