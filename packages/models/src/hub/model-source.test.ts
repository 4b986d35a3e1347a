import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../errors.js';
import { fileKey, resolveModelSource } from './model-source.js';

describe('resolveModelSource', () => {
  it('maps a hub id to {host}/{id}/resolve/{revision}/…, host and revision configurable', () => {
    const hub = resolveModelSource('facebook/rag-token-nq');
    expect(fileKey(hub, 'onnx/decoder_model.onnx')).toBe('https://huggingface.co/facebook/rag-token-nq/resolve/main/onnx/decoder_model.onnx');
    const mirror = resolveModelSource('facebook/rag-token-nq', { host: 'http://localhost:8080/', revision: 'v1.0' });
    expect(fileKey(mirror, 'config.json')).toBe('http://localhost:8080/facebook/rag-token-nq/resolve/v1.0/config.json');
  });

  it('keeps URLs as base URLs and reads local folders in Node', () => {
    expect(fileKey(resolveModelSource('https://example.org/models/rag/'), 'config.json')).toBe('https://example.org/models/rag/config.json');
    expect(resolveModelSource('./fixtures/tiny-a/model')).toEqual({ kind: 'local', dir: './fixtures/tiny-a/model' });
    expect(resolveModelSource({ files: {} }).kind).toBe('bytes');
  });

  it('rejects an empty id', () => {
    expect(() => resolveModelSource('  ')).toThrow(ModelLoadError);
  });
});
