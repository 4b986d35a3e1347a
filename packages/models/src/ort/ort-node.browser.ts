import { ModelLoadError } from '../errors.js';
import type { Ort } from './runtime.js';

/** Browsers load onnxruntime-web's WebGPU build (runtime.ts); its Node build is never asked for there. */
export const importNodeOrt = (): Promise<Ort> => Promise.reject(new ModelLoadError("onnxruntime-web's Node build cannot run in a browser"));
