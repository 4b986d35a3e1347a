import type { FileSource } from './kb-folder.js';

/** Browsers (package.json `#kb-files`, default condition): every folder is a URL, for `fetch` (kb-files.node.ts reads paths in Node). */
export function localFolder(_source: string | URL): { read: FileSource; name: string } | undefined {
  return undefined;
}
