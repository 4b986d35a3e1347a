import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeBaseFetchError } from './errors.js';
import type { FileSource } from './kb-folder.js';

/** A scheme of two letters or more (`http:`, `file:`): a URL; `C:\…` is a Windows path. */
const URL_SCHEME = /^[a-z][a-z\d+.-]+:/i;

/**
 * Node (package.json `#kb-files`, `node` condition): a knowledge-base folder given as a path
 * (absolute, or relative to the working directory) or a `file:` URL, read with node:fs; its
 * absolute path is its default name. Other URLs are for `fetch`: undefined.
 */
export function localFolder(source: string | URL): { read: FileSource; name: string } | undefined {
  let dir: string;
  if (source instanceof URL || URL_SCHEME.test(source)) {
    const url = new URL(source);
    if (url.protocol !== 'file:') return undefined;
    dir = fileURLToPath(url);
  } else {
    dir = resolve(source);
  }
  const read: FileSource = async (name) => {
    try {
      return new Uint8Array(await readFile(join(dir, name)));
    } catch (err) {
      const why = (await isFolder(dir)) ? (err as Error).message : 'there is no such folder';
      throw new KnowledgeBaseFetchError(`Reading ${name} from the knowledge-base folder ${dir} failed: ${why}.`, { name, path: dir });
    }
  };
  return { read, name: dir };
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
