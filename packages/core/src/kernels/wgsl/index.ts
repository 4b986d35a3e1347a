// Shared WGSL snippets (WGSL has no includes: getPipeline prepends them to a kernel's source).
import floatBits from './float-bits.wgsl?raw';
import ragTokenMarginal from './rag-token-marginal.wgsl?raw';
import rowMax from './row-max.wgsl?raw';

export const wgslSnippets = { floatBits, ragTokenMarginal, rowMax } as const;
