import { describe, expect, it, vi } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { fixturePath, PER_ROW_CROSS_ATTENTION_CASES, readReference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { tolerances } from '../../../test/tolerances.js';
import { GpuRagMath } from './decoding/gpu-rag-math.js';
import { forwardWithLabels } from './rag-forward.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

// `device: 'webgpu'` in Node: onnxruntime-web's WebGPU EP and our kernels on Dawn's Node binding
// (the `webgpu` package), here on SwiftShader's Vulkan (scripts/with-swiftshader-vulkan.sh). The
// parity checks of rag.browser.test.ts, from a local folder (read as bytes: the WebGPU build of
// onnxruntime-web does not read paths), on both cross-attention contracts. SwiftShader emulates the
// GPU on the CPU, so each case checks its first questions (all of them run on WASM in unit tests).
vi.setConfig({ testTimeout: 180_000 });

describe.each(['tiny-a', 'tiny-b', 'hf-o1'])('%s on WebGPU in Node vs transformers', async (name) => {
  const rag = await RagModel.fromPretrained(fixturePath(`${name}/model`), { device: 'webgpu', cache: null });
  const reference = readReference(name);
  const token = new RagTokenForGeneration(rag);
  const sequence = new RagSequenceForGeneration(rag);

  it('runs on WebGPU with the GPU math, on the decoder contract it was exported with', () => {
    expect(rag.device).toBe('webgpu');
    expect(rag.math).toBeInstanceOf(GpuRagMath);
    expect(rag.components.gpuDevice).toBeDefined();
    expect(rag.components.generator.sharedCrossAttention).toBe(!PER_ROW_CROSS_ATTENTION_CASES.includes(name));
  });

  it('question pooled outputs, RAG-Token and RAG-Sequence losses', async () => {
    for (const q of reference.per_question.slice(0, 2)) {
      const pooled = await rag.components.questionEncoder.forward([q.question_input_ids], [q.question_input_ids.map(() => 1)]);
      expectClose(pooled, q.question_pooled, tolerances.webgpu.pooled, 'question_pooled');
      const args = { ...contextArgs(q), labels: [q.labels] };
      expectClose((await forwardWithLabels(rag, 'token', args)).loss!.data, [q.token_loss], tolerances.webgpu.loss, 'token_loss');
      expectClose((await forwardWithLabels(rag, 'sequence', args)).loss!.data, [q.seq_loss], tolerances.webgpu.loss, 'seq_loss');
    }
  });

  // Greedy, beams returning two, the processors, thorough decoding: the browser suite runs them all.
  it('greedy, beam, processors and RAG-Sequence: the same token ids as transformers', async () => {
    for (const setting of ['token_greedy_len12', 'token_beam3_ret2_len10', 'token_beam2_min6_len10_norepeat2', 'seq_beam3_ret2_len10']) {
      const { variant, args } = GENERATE_SETTINGS[setting]!;
      for (const q of reference.per_question.slice(0, 1)) {
        const inputs = { ...contextArgs(q), ...args };
        const ids = variant === 'token' ? await token.generate(inputs) : await sequence.generate(inputs);
        expect(ids, `${setting}: ${q.question}`).toEqual(q.generate[setting]);
      }
    }
  });
});
