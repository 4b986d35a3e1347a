import { afterAll, describe, expect, it, vi } from 'vitest';
import tinyA from '../../../fixtures/tiny-a/reference.json';
import type { Reference } from '../../../test/fixture-files.js';
import { contextArgs, GENERATE_SETTINGS } from '../../../test/generate-settings.js';
import { loadRagComponents } from './pretrained.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

// Device-loss recovery is applied once, at the public entry point: a device lost anywhere inside
// a call (RAG-Sequence's rescoring after beam search, a RAG-Token decode step) reruns the whole
// call on WASM, after exactly one reload, and the answer is a WASM-only run's (transformers').
vi.setConfig({ testTimeout: 180_000 });
const ref = tinyA as unknown as Reference;
const q = ref.per_question[0]!;
const MODEL = '/fixtures/tiny-a/model';

/** A model on WebGPU that counts its reloads on WASM and its warnings. */
async function countingModel() {
  const log = { reloads: 0, warnings: [] as string[] };
  const rag = new RagModel(await loadRagComponents(MODEL, { device: 'webgpu', cache: null }), undefined, {
    reloadOnWasm: () => {
      log.reloads++;
      return loadRagComponents(MODEL, { device: 'wasm', cache: null });
    },
    onWarning: (w) => log.warnings.push(w.message),
  });
  expect(rag.device).toBe('webgpu');
  return { rag, log };
}

function expectOneFallback(rag: RagModel, log: { reloads: number; warnings: string[] }) {
  expect(rag.device).toBe('wasm');
  expect(log.reloads).toBe(1);
  expect(log.warnings).toHaveLength(1);
  expect(log.warnings[0]).toMatch(/WebGPU device lost/);
}

describe('a WebGPU device lost inside a call', async () => {
  const wasm = await RagModel.fromPretrained(MODEL, { device: 'wasm', cache: null });
  afterAll(() => wasm.dispose());

  it('during RAG-Sequence rescoring: one reload, the whole generate rerun on WASM', async () => {
    const { rag, log } = await countingModel();
    const { generator, gpuDevice } = rag.components;
    let rescoring = 0;
    const forwardLogits = generator.forwardLogits.bind(generator);
    // Rescoring is generate's only full-sequence decoder pass.
    vi.spyOn(generator, 'forwardLogits').mockImplementation((...args) => {
      if (++rescoring === 1) gpuDevice!.destroy();
      return forwardLogits(...args);
    });
    const inputs = { ...contextArgs(q), ...GENERATE_SETTINGS.seq_beam2_ret1_len10!.args };
    const ids = await new RagSequenceForGeneration(rag).generate(inputs);
    expect(rescoring).toBe(1);
    expect(ids).toEqual(await new RagSequenceForGeneration(wasm).generate(inputs));
    expect(ids).toEqual(q.generate.seq_beam2_ret1_len10);
    expectOneFallback(rag, log);
    await rag.dispose();
  });

  it('mid-way through RAG-Token beam search: one reload, the same ids as on WASM', async () => {
    const { rag, log } = await countingModel();
    const { generator, gpuDevice } = rag.components;
    let steps = 0;
    const decodeNext = generator.decodeNext.bind(generator);
    vi.spyOn(generator, 'decodeNext').mockImplementation((...args) => {
      if (++steps === 3) gpuDevice!.destroy();
      return decodeNext(...args);
    });
    const inputs = { ...contextArgs(q), ...GENERATE_SETTINGS.token_beam3_len12!.args };
    const ids = await new RagTokenForGeneration(rag).generate(inputs);
    expect(steps).toBe(3);
    expect(ids).toEqual(await new RagTokenForGeneration(wasm).generate(inputs));
    expect(ids).toEqual(q.generate.token_beam3_len12);
    expectOneFallback(rag, log);
    await rag.dispose();
  });

  it('mid-way through greedy RAG-Token: the given-up run streams no more tokens', async () => {
    const { rag, log } = await countingModel();
    const gpuDevice = rag.components.gpuDevice!;
    const streamed: number[] = [];
    const inputs = { ...contextArgs(q), ...GENERATE_SETTINGS.token_greedy_len12!.args };
    const ids = await new RagTokenForGeneration(rag).generate({
      ...inputs,
      onTokens: ([token]) => {
        // Lose the device after the second token, as a driver reset would.
        if (streamed.push(token!) === 2) gpuDevice.destroy();
      },
    });
    expect(ids).toEqual(q.generate.token_greedy_len12);
    // Two tokens from the WebGPU run, then the rerun's from the start: nothing else.
    const generated = ids[0]!.slice(1);
    expect(streamed).toEqual([...generated.slice(0, 2), ...generated]);
    expectOneFallback(rag, log);
    await rag.dispose();
  });
});
