import { expect, it } from 'vitest';
import reference from '../../../fixtures/tiny-a/reference.json';
import type { Reference } from '../../../test/fixture-files.js';
import { checkQuantized } from '../../../test/quantized-check.js';
import { tolerances } from '../../../test/tolerances.js';
import { RagTokenForGeneration } from './rag-token.js';

it('tiny-a q8 loads and runs on WebGPU within the stated tolerance', async () => {
  const model = await RagTokenForGeneration.fromPretrained('/fixtures/tiny-a/model', { device: 'webgpu', cache: null, dtype: 'q8' });
  expect(model.rag.device).toBe('webgpu');
  // Two questions: SwiftShader makes every ORT call slow.
  await checkQuantized(model, reference as unknown as Reference, { ...tolerances.quantized.q8, sameGreedy: 0.5 }, 2);
  await model.dispose();
});
