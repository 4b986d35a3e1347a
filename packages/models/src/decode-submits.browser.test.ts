import { afterEach, describe, expect, it, vi } from 'vitest';
import tinyA from '../../../fixtures/tiny-a/reference.json';
import type { Reference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { settled, trackGpu, type GpuTracker } from '../../../test/gpu-tracking.js';
import { RagTokenForGeneration } from './rag-token.js';

// What a decode step costs the GPU queue: one submit of ours per step (the step's kernels, its
// cache reorder in beam search, and its read-back in one command buffer), 8 bytes read back per
// candidate and nothing more, and no GPU buffer of ours left alive once generate has returned and
// the model is disposed.
vi.setConfig({ testTimeout: 180_000 });
const ref = tinyA as unknown as Reference;
const q = ref.per_question[0]!;
let tracker: GpuTracker | undefined;

afterEach(() => tracker?.restore());

describe('decode steps on WebGPU (tiny-a)', () => {
  for (const setting of ['token_greedy_len12', 'token_beam3_len12', 'token_beam2_min6_len10_norepeat2'] as const) {
    it(`${setting}: one submit and k candidates read back per decoder step, the reference ids, nothing left alive after dispose`, async () => {
      const model = await RagTokenForGeneration.fromPretrained('/fixtures/tiny-a/model', { device: 'webgpu', cache: null });
      const { generator, gpuDevice } = model.rag.components;
      expect(gpuDevice).toBeDefined();
      let steps = 0;
      for (const method of ['decodeFirst', 'decodeNext'] as const) {
        const original = generator[method].bind(generator) as (...args: unknown[]) => unknown;
        vi.spyOn(generator, method).mockImplementation((...args: unknown[]) => {
          steps++;
          return original(...args) as never;
        });
      }
      tracker = trackGpu(gpuDevice!);
      const { args } = GENERATE_SETTINGS[setting]!;
      const ids = await model.generate({ ...contextArgs(q), ...args });
      expect(ids).toEqual(q.generate[setting]);
      // tiny-a's decoder shares each document's encoder output among its beams, so beam search
      // submits nothing before its first step either (a per-row decoder needs one expansion).
      expect(generator.sharedCrossAttention).toBe(true);
      expect(steps).toBeGreaterThan(3);
      expect(tracker.submits).toBe(steps);
      // Each step reads back its k candidates' ids and scores (k = 2 · beams in beam search) and
      // nothing else: no logits, no mask or activation for onnxruntime's CPU kernels.
      const k = (args.numBeams as number) > 1 ? 2 * (args.numBeams as number) : 1;
      expect(tracker.readBackBytes).toBe(steps * k * 8);
      await model.rag.dispose();
      await settled(gpuDevice!);
      expect(tracker.aliveLabels()).toEqual([]);
    });
  }
});
