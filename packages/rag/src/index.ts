export { createRag, defaultDtype, type CreateRagOptions } from './create-rag.js';
export { RagPipeline, type Answer, type AskOptions, type AddOptions, type AnswerTimings } from './rag-pipeline.js';
export { encoderProbe } from './encoder-probe.js';
export { sourcesOf, type Source } from './sources.js';
