import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { tolerances } from '../../../test/tolerances.js';
import type { ProgressInfo } from './hub/progress.js';
import { loadRagComponents } from './pretrained.js';
import { tensorFloat32 } from './ort/tensors.js';

describe('loadRagComponents on hf-o1 (WASM in Node)', async () => {
  const events: ProgressInfo[] = [];
  const model = await loadRagComponents(fixturePath('hf-o1/model'), {
    device: 'wasm',
    cache: null,
    loadContextEncoder: true,
    progressCallback: (e) => events.push(e),
  });
  const reference = readReference('hf-o1');

  it('chose WASM and reported progress for every file once, ending at 100 %', () => {
    expect(model.device).toBe('wasm');
    const done = events.filter((e) => e.status === 'done').map((e) => (e as { file: string }).file);
    expect(new Set(done).size).toBe(done.length);
    expect(done).toContain('onnx/decoder_with_past_model.onnx');
    const last = events.at(-1)!;
    expect(last.status).toBe('ready');
    expect(last.aggregate.progress).toBe(100);
    let prev = 0;
    for (const e of events) {
      expect(e.aggregate.loaded).toBeGreaterThanOrEqual(prev);
      prev = e.aggregate.loaded;
    }
  });

  it('DPR question encoder pooled output matches transformers', async () => {
    for (const q of reference.per_question) {
      const pooled = await model.questionEncoder.forward([q.question_input_ids], [q.question_input_ids.map(() => 1)]);
      expectClose(pooled, q.question_pooled, tolerances.wasm.pooled, 'question_pooled');
    }
  });

  it('BART generator logits for the labels forward match transformers per document', async () => {
    for (const q of reference.per_question.filter((p) => p.generator_logits)) {
      const mask = q.context_input_ids.map((row) => row.map((id) => (id === 1 ? 0 : 1)));
      const hidden = await model.generator.encode(q.context_input_ids, mask);
      const step = await model.generator.decodeFirst(
        q.context_input_ids.map(() => q.labels),
        hidden,
        model.generator.encoderMask(mask, 1),
      );
      expectClose(await tensorFloat32(step.logits), q.generator_logits!.flat(2), tolerances.wasm.logits, 'generator_logits');
      step.past.dispose();
      step.logits.dispose();
      hidden.dispose();
    }
  });
});
