import type { Plugin } from 'vite';

export interface RagWebViteOptions {
  /**
   * Serve (`vite dev`, `vite preview`) with the COOP/COEP headers that make the page cross-origin
   * isolated: SharedArrayBuffer, hence onnxruntime-web's multi-threaded WASM. Default false
   * (single-threaded WASM; WebGPU is unaffected). A production host must send the same headers.
   */
  crossOriginIsolation?: boolean;
}

/** COOP/COEP, the two headers a cross-origin isolated page needs. */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * What `@rag-web/models` may need from Vite beyond its defaults (`import { ragWebVite } from
 * '@rag-web/models/vite'`). onnxruntime-web finds its .wasm next to its own module
 * (`new URL(file, import.meta.url)`), which `vite build` copies. Under `vite dev`, Vite 8 keeps
 * that URL on the package when it pre-bundles dependencies; earlier Vite versions (esbuild
 * pre-bundling) point it into .vite/deps/, where the file is not (vitejs/vite#8427), so
 * onnxruntime-web is kept out of pre-bundling.
 */
export function ragWebVite(options: RagWebViteOptions = {}): Plugin {
  return {
    name: 'rag-web',
    config() {
      const headers = options.crossOriginIsolation ? { headers: crossOriginIsolationHeaders } : {};
      return { optimizeDeps: { exclude: ['onnxruntime-web'] }, server: headers, preview: headers };
    },
  };
}
