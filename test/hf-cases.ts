// Test fixtures only (not exported by the package): the HF `transformers` reference cases of
// fixtures/hf-o{1,2}/reference.json (format: shared hf-reference README) as typed arrays.
import o1 from '../fixtures/hf-o1/reference.json?raw';
import o2 from '../fixtures/hf-o2/reference.json?raw';

/** BART generator ids of both fixtures (config.json `generator.pad_token_id` / `bos_token_id`). */
export const HF_PAD_TOKEN_ID = 1;
export const HF_BOS_TOKEN_ID = 0;

interface RawQuestion {
  question: string;
  doc_scores: number[];
  labels: number[];
  generator_logits?: number[][][];
  token_marginalized_logits_last: number[];
  token_loss: number;
  token_loss_reduced: number;
  seq_loss: number;
  seq_loss_excl_bos_reduced: number;
  seq_loss_smooth01: number;
}

/** One question with its generator logits (n_docs × T × V), i.e. batch 1. */
export interface HfCase {
  name: string;
  nDocs: number;
  seqLen: number;
  vocab: number;
  docScores: Float32Array;
  /** Raw labels given to forward(labels=...); get_nll shifts them itself. */
  labels: Int32Array;
  generatorLogits: Float32Array;
  marginalizedLast: Float32Array;
  tokenLoss: number;
  tokenLossReduced: number;
  seqLoss: number;
  seqLossExclBosReduced: number;
  seqLossSmooth01: number;
}

let cached: HfCase[] | undefined;

/** The questions that come with generator logits (the first two of each fixture). */
export function hfCases(): HfCase[] {
  cached ??= [['hf-o1', o1] as const, ['hf-o2', o2] as const].flatMap(([fixture, text]) => {
    const ref = JSON.parse(text) as { config: { n_docs: number; gv: number }; per_question: RawQuestion[] };
    return ref.per_question.flatMap((q, i) => {
      if (!q.generator_logits) return [];
      const seqLen = q.labels.length;
      return [{
        name: `${fixture} q${i}`,
        nDocs: ref.config.n_docs,
        seqLen,
        vocab: ref.config.gv,
        docScores: Float32Array.from(q.doc_scores),
        labels: Int32Array.from(q.labels),
        generatorLogits: Float32Array.from(q.generator_logits.flat(2)),
        marginalizedLast: Float32Array.from(q.token_marginalized_logits_last),
        tokenLoss: q.token_loss,
        tokenLossReduced: q.token_loss_reduced,
        seqLoss: q.seq_loss,
        seqLossExclBosReduced: q.seq_loss_excl_bos_reduced,
        seqLossSmooth01: q.seq_loss_smooth01,
      }];
    });
  });
  return cached;
}

/**
 * Stacks cases of one fixture into a batch: seqLen is the longest, shorter questions are padded
 * with pad labels and zero logits. Padded positions are masked by get_nll (their shifted target
 * is the pad id), so each question's loss is unchanged by the padding.
 */
export function batchHfCases(cases: HfCase[]): {
  shape: { batch: number; nDocs: number; seqLen: number; vocab: number };
  seqLogits: Float32Array;
  docScores: Float32Array;
  labels: Int32Array;
} {
  const { nDocs, vocab } = cases[0]!;
  const seqLen = Math.max(...cases.map((c) => c.seqLen));
  const batch = cases.length;
  const seqLogits = new Float32Array(batch * nDocs * seqLen * vocab);
  const labels = new Int32Array(batch * seqLen).fill(HF_PAD_TOKEN_ID);
  cases.forEach((c, b) => {
    labels.set(c.labels, b * seqLen);
    for (let z = 0; z < nDocs; z++) {
      const src = c.generatorLogits.subarray(z * c.seqLen * vocab, (z + 1) * c.seqLen * vocab);
      seqLogits.set(src, (b * nDocs + z) * seqLen * vocab);
    }
  });
  const docScores = new Float32Array(cases.flatMap((c) => [...c.docScores]));
  return { shape: { batch, nDocs, seqLen, vocab }, seqLogits, docScores, labels };
}
