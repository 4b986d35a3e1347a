import type { Ort } from './runtime.js';

/**
 * onnxruntime-web's Node build (reads model files itself). Imported as `#ort-node` (package.json
 * "imports"): browser bundles get ort-node.browser.ts instead, so they neither include this build
 * nor copy the .wasm it would load.
 */
export const importNodeOrt = (): Promise<Ort> => import('onnxruntime-web');
