import { describe, it } from 'vitest';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { checkQuantized } from '../../../test/quantized-check.js';
import { tolerances } from '../../../test/tolerances.js';
import { RagTokenForGeneration } from './rag-token.js';

describe('quantized tiny-a exports on WASM (Node) against the fp32 transformers values', () => {
  const reference = readReference('tiny-a');
  for (const dtype of ['fp16', 'q8', 'q4'] as const) {
    it(dtype, async () => {
      const model = await RagTokenForGeneration.fromPretrained(fixturePath('tiny-a/model'), { device: 'wasm', cache: null, dtype });
      await checkQuantized(model, reference, tolerances.quantized[dtype]);
      await model.dispose();
    });
  }
});
