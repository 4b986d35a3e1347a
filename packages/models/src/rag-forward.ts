import type { RagNllShape, RetrievAugLMMarginOutput } from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import { InvalidInputError } from './errors.js';
import type { RagContexts } from './rag-inputs.js';
import { generatorPass, outputOf, runGenerator, type GeneratorRun, type RagBackend, type RagForwardArgs, type RagModel } from './rag-model.js';

/** `forward` arguments of the generation classes: RagModel's, with labels for the loss. */
export interface RagLabelsArgs extends Omit<RagForwardArgs, 'decoderInputIds'> {
  decoderInputIds?: number[][];
  /** (B × T) answer ids, padded with the generator's pad id. */
  labels?: number[][];
  reduceLoss?: boolean;
  /** Overrides config.label_smoothing. */
  labelSmoothing?: number;
  /** RAG-Token only: return marginalized log-probs (B × T × V) as `logits`. */
  doMarginalize?: boolean;
  /** RAG-Sequence only. */
  excludeBosScore?: boolean;
}

type LossArgs = Pick<RagLabelsArgs, 'decoderInputIds' | 'reduceLoss' | 'labelSmoothing' | 'excludeBosScore'> & {
  labels: number[][];
  /** generatorPass's `sameDocuments`: `encoderOutputs` holds the n documents every batch item reads, once. */
  sameDocuments?: boolean;
};

/**
 * The shared body of `RagTokenForGeneration.forward` and `RagSequenceForGeneration.forward`:
 * labels double as decoder inputs when none are given (as in transformers), the loss is the
 * variant's `get_nll` on the backend that holds the logits. Not guarded: it runs on `backend`
 * (by default the model's current one), and the public `forward` that calls it guards.
 */
export async function forwardWithLabels(
  rag: RagModel,
  variant: 'token' | 'sequence',
  args: RagLabelsArgs,
  backend: RagBackend = { components: rag.components, math: rag.math },
): Promise<RetrievAugLMMarginOutput> {
  const config = backend.components.config;
  const decoderInputIds = args.decoderInputIds ?? args.labels;
  if (!decoderInputIds) throw new InvalidInputError('forward needs decoderInputIds or labels');
  const run = await runGenerator(rag, backend, { ...args, decoderInputIds });
  try {
    const shape = lossShape(run);
    const loss = args.labels ? await lossOf(backend, variant, run, { ...args, labels: args.labels }) : undefined;
    const marginal =
      variant === 'token' && (args.doMarginalize ?? config.doMarginalize) ? await backend.math.marginalize(run.logits, run.contexts.docScores, shape) : undefined;
    const out: RetrievAugLMMarginOutput = await outputOf(
      run,
      args.outputRetrieved ?? config.outputRetrieved,
      marginal ? { data: marginal, dims: [shape.batch, shape.seqLen, shape.vocab] } : undefined,
    );
    if (loss) out.loss = { data: loss, dims: [loss.length] };
    return out;
  } finally {
    run.logits.dispose();
  }
}

/**
 * Only the loss of `forward(labels=…)` for contexts the caller already has, with their encoder
 * output (RAG-Sequence's rescoring of candidates): no retrieval, no encoder run, and the logits
 * stay where the generator left them (on the GPU on WebGPU).
 */
export async function lossWithLabels(backend: RagBackend, variant: 'token' | 'sequence', contexts: RagContexts, encoderOutputs: Tensor, args: LossArgs): Promise<Float32Array> {
  const run = await generatorPass(backend, contexts, args.decoderInputIds ?? args.labels, encoderOutputs, args.sameDocuments);
  try {
    return await lossOf(backend, variant, run, args);
  } finally {
    run.logits.dispose();
  }
}

/** The `(B·n × T × V)` logits' shape as the kernels take it. */
function lossShape(run: GeneratorRun): RagNllShape {
  const [rows, seqLen = 0, vocab = 0] = run.logits.dims;
  const { batch, nDocs } = run.contexts;
  if (rows !== batch * nDocs) throw new InvalidInputError(`generator returned ${rows} rows for ${batch}×${nDocs} contexts`);
  return { batch, nDocs, seqLen, vocab };
}

async function lossOf(backend: RagBackend, variant: 'token' | 'sequence', run: GeneratorRun, args: LossArgs): Promise<Float32Array> {
  const config = backend.components.config;
  const shape = lossShape(run);
  const pad = config.generator.padTokenId ?? 1;
  // RAG-Token scores `labels`, RAG-Sequence the decoder inputs (the labels unless both are given).
  const target = variant === 'token' ? args.labels : (args.decoderInputIds ?? args.labels);
  if (target.length !== shape.batch || target.some((row) => row.length !== shape.seqLen)) {
    throw new InvalidInputError(`labels must be ${shape.batch} rows of ${shape.seqLen} ids (the decoder input length)`);
  }
  return backend.math.nll(variant, run.logits, run.contexts.docScores, Int32Array.from(target.flat()), shape, {
    padTokenId: pad,
    epsilon: args.labelSmoothing ?? config.labelSmoothing,
    reduceLoss: args.reduceLoss ?? config.reduceLoss,
    excludeBosScore: args.excludeBosScore ?? config.excludeBosScore,
    // Python's `config.bos_token_id or config.generator.bos_token_id`: a 0 falls through.
    bosTokenId: config.bosTokenId || config.generator.bosTokenId,
  });
}
