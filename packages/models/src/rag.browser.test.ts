import { describe, expect, it, vi } from 'vitest';
import hfO1 from '../../../fixtures/hf-o1/reference.json';
import hfO2 from '../../../fixtures/hf-o2/reference.json';
import tinyA from '../../../fixtures/tiny-a/reference.json';
import tinyB from '../../../fixtures/tiny-b/reference.json';
import { expectClose } from '../../../test/expect-close.js';
import type { Reference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { tolerances } from '../../../test/tolerances.js';
import { GpuRagMath } from './decoding/gpu-rag-math.js';
import { forwardWithLabels } from './rag-forward.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

// Parity with transformers on WebGPU (SwiftShader here): the same checks as the Node/WASM tests,
// with logits, KV caches and the RAG math kept on the GPU. SwiftShader runs every ORT call on the
// CPU, so generation covers the first questions of each case (all of them run on WASM in Node).
// Each case runs with the split decoders and with the merged one (layouts.json).
const splitCases: Array<{ name: string; ref: Reference; generateQuestions: number }> = [
  { name: 'hf-o1', ref: hfO1 as unknown as Reference, generateQuestions: 2 },
  { name: 'hf-o2', ref: hfO2 as unknown as Reference, generateQuestions: 1 },
  { name: 'tiny-a', ref: tinyA as unknown as Reference, generateQuestions: 1 },
  { name: 'tiny-b', ref: tinyB as unknown as Reference, generateQuestions: 1 },
];
// tiny-a/hub: tiny-a's weights as transformers.js repos (BERT feature extraction, BART with the
// merged decoder) combined by a rag.json.
const cases = [
  ...splitCases.map((c) => ({ ...c, model: `/fixtures/${c.name}/model`, generatorLayout: 'bart-split' as const })),
  ...splitCases.map((c) => ({ ...c, model: `/fixtures/${c.name}/model`, generatorLayout: 'bart-merged' as const, generateQuestions: 1 })),
  { name: 'tiny-a', model: '/fixtures/tiny-a/hub', ref: tinyA as unknown as Reference, generateQuestions: 1, generatorLayout: 'bart-merged' as const },
];
const ref = cases[0]!.ref;
// A single test here takes up to ~25 s on SwiftShader; leave room for a slower machine.
vi.setConfig({ testTimeout: 180_000 });

describe.each(cases)('$model ($generatorLayout) on WebGPU vs transformers', async ({ name, model, ref, generateQuestions, generatorLayout }) => {
  const rag = await RagModel.fromPretrained(model, { device: 'webgpu', cache: null, generatorLayout });

  it('runs on WebGPU with the GPU math and the generator layout asked for', () => {
    expect(rag.device).toBe('webgpu');
    expect(rag.math).toBeInstanceOf(GpuRagMath);
    expect(rag.components.layouts.generator).toBe(generatorLayout);
  });

  it('question pooled outputs', async () => {
    for (const q of ref.per_question) {
      const pooled = await rag.components.questionEncoder.forward([q.question_input_ids], [q.question_input_ids.map(() => 1)]);
      expectClose(pooled, q.question_pooled, tolerances.webgpu.pooled, 'question_pooled');
    }
  });

  it('RAG-Token and RAG-Sequence losses and the marginalized last position', async () => {
    for (const q of ref.per_question) {
      const args = { ...contextArgs(q), labels: [q.labels] };
      expectClose((await forwardWithLabels(rag, 'token', args)).loss!.data, [q.token_loss], tolerances.webgpu.loss, 'token_loss');
      expectClose((await forwardWithLabels(rag, 'sequence', args)).loss!.data, [q.seq_loss], tolerances.webgpu.loss, 'seq_loss');
      const smooth = await forwardWithLabels(rag, 'sequence', { ...args, labelSmoothing: 0.1, reduceLoss: true });
      expectClose(smooth.loss!.data, [q.seq_loss_smooth01], tolerances.webgpu.loss, 'seq_loss_smooth01');
      const excl = await forwardWithLabels(rag, 'sequence', { ...args, excludeBosScore: true, reduceLoss: true });
      expectClose(excl.loss!.data, [q.seq_loss_excl_bos_reduced], tolerances.webgpu.loss, 'seq_loss_excl_bos_reduced');
      if (q.token_loss_smooth01 !== undefined) {
        const tokenSmooth = await forwardWithLabels(rag, 'token', { ...args, labelSmoothing: 0.1, reduceLoss: true });
        expectClose(tokenSmooth.loss!.data, [q.token_loss_smooth01], tolerances.webgpu.loss, 'token_loss_smooth01');
      }
      const marg = await forwardWithLabels(rag, 'token', { ...args, doMarginalize: true });
      const vocab = marg.logits.dims[2]!;
      expectClose(marg.logits.data.subarray(marg.logits.data.length - vocab), q.token_marginalized_logits_last, tolerances.webgpu.logits, 'marginalized last');
    }
  });

  it.runIf(name === 'hf-o1' && generatorLayout === 'bart-split')('decoder logits equal the WASM EP for every decoder length (the T % 4 == 0 workaround)', async () => {
    const wasm = await RagModel.fromPretrained(`/fixtures/${name}/model`, { device: 'wasm', cache: null });
    const q = ref.per_question[3]!;
    for (let t = 1; t <= q.labels.length; t++) {
      const args = { ...contextArgs(q), decoderInputIds: [q.labels.slice(0, t)] };
      const [gpuOut, wasmOut] = [await rag.forward(args), await wasm.forward(args)];
      expect(gpuOut.logits.dims).toEqual(wasmOut.logits.dims);
      expectClose(gpuOut.logits.data, wasmOut.logits.data, tolerances.webgpu.logits, `logits at T=${t}`);
    }
    await wasm.dispose();
  });

  const token = new RagTokenForGeneration(rag);
  const sequence = new RagSequenceForGeneration(rag);
  for (const [setting, { variant, args }] of Object.entries(GENERATE_SETTINGS)) {
    it.runIf(setting in ref.per_question[0]!.generate)(`${setting}: the same token ids`, async () => {
      for (const q of ref.per_question.slice(0, generateQuestions)) {
        const inputs = { ...contextArgs(q), ...args };
        const ids = variant === 'token' ? await token.generate(inputs) : await sequence.generate(inputs);
        expect(ids, q.question).toEqual(q.generate[setting]);
      }
    });
  }

  it.runIf(ref.batch2_generate !== undefined)('the first two questions as one batch', async () => {
    const [a, b] = ref.per_question as [(typeof ref.per_question)[number], (typeof ref.per_question)[number]];
    const batch = {
      contextInputIds: [...a.context_input_ids, ...b.context_input_ids],
      contextAttentionMask: [...contextArgs(a).contextAttentionMask, ...contextArgs(b).contextAttentionMask],
      docScores: [a.doc_scores, b.doc_scores],
    };
    for (const [setting, ids] of Object.entries(ref.batch2_generate!.generate)) {
      const { variant, args } = GENERATE_SETTINGS[setting]!;
      expect(variant === 'token' ? await token.generate({ ...batch, ...args }) : await sequence.generate({ ...batch, ...args }), setting).toEqual(ids);
    }
  });
});

describe('a WebGPU device lost mid-generate', () => {
  it('falls back to WASM, warns, and still gives transformers’ answer', async () => {
    const warnings: string[] = [];
    const model = await RagTokenForGeneration.fromPretrained('/fixtures/hf-o1/model', { device: 'webgpu', cache: null, onWarning: (w) => warnings.push(w.message) });
    expect(model.rag.device).toBe('webgpu');
    const q = ref.per_question[0]!;
    let steps = 0;
    const ids = await model.generate({
      ...contextArgs(q),
      numBeams: 1,
      maxLength: 12,
      onTokens: () => {
        // Lose the device after the first token, as a driver reset or a lost tab would.
        if (++steps === 1) model.rag.components.gpuDevice?.destroy();
      },
    });
    expect(ids).toEqual(q.generate.token_greedy_len12);
    expect(model.rag.device).toBe('wasm');
    expect(warnings.join('\n')).toMatch(/WebGPU device lost/);
    await model.dispose();
  });
});
