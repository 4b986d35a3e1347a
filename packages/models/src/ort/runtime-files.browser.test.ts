import { expect, it } from 'vitest';
import { ModelLoadError } from '../errors.js';
import { RagTokenForGeneration } from '../rag-token.js';

// ORT's own error ("no available backend found … initWasm() failed") names no file: a missing
// runtime file showed only in the network log. This file's page never gets a working ORT.
it('ORT runtime files missing where wasmPaths points: a ModelLoadError naming the URL and its HTTP status, on every try', async () => {
  // With wasmPaths set, ORT's WebGPU build imports its .mjs from there first (`?import`: added by `vite dev`).
  const url = expect.stringMatching(new RegExp(`^${location.origin}/no-ort-here/ort-wasm-simd-threaded\\.asyncify\\.mjs(\\?import)?$`));
  // WebGPU first (its failure falls back to WASM, which fails the same way), then WASM after ORT's init already failed.
  for (const device of ['webgpu', 'wasm'] as const) {
    const err = await RagTokenForGeneration.fromPretrained('/fixtures/tiny-a/model', { device, cache: null, wasmPaths: '/no-ort-here/' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    const { details, message } = err as ModelLoadError;
    expect(details).toMatchObject({ url, status: 404 });
    expect(message).toContain(`onnxruntime-web's runtime file ${details.url as string} could not be loaded (HTTP 404)`);
  }
});
