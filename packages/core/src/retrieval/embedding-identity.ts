import { EmbeddingModelError, NonFiniteEmbeddingError } from './errors.js';

/**
 * Which encoder a knowledge base's embeddings came from, as any store records it (the in-browser
 * manifest, a Postgres manifest row): a model id and optionally the encoder probe.
 */
export interface EmbeddingIdentity {
  /** The encoder that produced the embeddings (`Embedder.modelId`); '' when unknown. */
  modelId: string;
  /** The question encoder's pooled output for ENCODER_PROBE_QUESTION; absent: not known. */
  encoderProbe?: number[];
}

/** The fixed question whose encoding identifies a question encoder (see `encoderProbe`). */
export const ENCODER_PROBE_QUESTION = 'which encoder built this knowledge base?';

/** Cosine below this between the stored and the given probe: another encoder (q8 vs fp32 of one model stays above 0.99). */
const PROBE_MIN_COSINE = 0.95;

/** Throws EmbeddingModelError when `probe` (this model's encoding of ENCODER_PROBE_QUESTION) is not the manifest's. */
export function checkEncoderProbe(manifest: EmbeddingIdentity, probe: Float32Array, model: string): void {
  const stored = manifest.encoderProbe;
  if (!stored) return;
  let dot = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < stored.length; i++) {
    dot += stored[i]! * probe[i]!;
    a += stored[i]! * stored[i]!;
    b += probe[i]! * probe[i]!;
  }
  const cosine = dot / Math.sqrt(a * b);
  if (!(cosine >= PROBE_MIN_COSINE)) throw new EmbeddingModelError(manifest.modelId || 'another model', `${model} (its question encoder's probe has cosine ${cosine.toFixed(3)} with the stored one)`);
}

/** `sha256:<hex>`: an encoder identity derived from its weights (models' `embeddingModelId`); any other model id is a name. */
const WEIGHTS_IDENTITY = /^sha256:[0-9a-f]{64}$/;

/**
 * Checks that embeddings of the encoder `given` may join those of the manifest's, and returns
 * the model id to record. Two weights identities, or two names, must be equal. A name (what
 * older knowledge bases recorded: the model path as typed) and an identity cannot be compared:
 * the encoder probe decides when both sides have one, else they are accepted, and the identity
 * is what gets recorded.
 */
export function checkModelId(manifest: EmbeddingIdentity, given: string, probe?: Float32Array): string {
  const stored = manifest.modelId;
  if (stored === '' || given === '' || stored === given) return given || stored;
  const storedIsIdentity = WEIGHTS_IDENTITY.test(stored);
  if (storedIsIdentity === WEIGHTS_IDENTITY.test(given)) throw new EmbeddingModelError(stored, given);
  if (probe) checkEncoderProbe(manifest, probe, given);
  return storedIsIdentity ? stored : given;
}

/** Throws NonFiniteEmbeddingError for the first NaN or ±Infinity in `data` (rows of `dimension` values; row 1 is passage `firstPassage`). */
export function assertFiniteEmbeddings(data: Float32Array, dimension: number, what: string, firstPassage = 1): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new NonFiniteEmbeddingError(what, firstPassage + Math.floor(i / dimension), data[i]!);
  }
}
