import { ModelLoadError } from '../errors.js';

/** What the loader knows of a file before fetching it. */
export interface FileFacts {
  size: number;
  /** Hex SHA-256, when the manifest (or the hub's `X-Linked-Etag`) gives one. */
  sha256?: string;
}

/**
 * `manifest.json`, written by tools/export_rag.py (rag_export/manifest.py) into every folder it
 * exports: each file's size and SHA-256. With it the loader knows the download total before the
 * first byte, detects the layout without probing, and checks every file before using it.
 */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  files: Record<string, FileFacts>;
}

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'rag-web-manifest/1';

const SHA256 = /^[0-9a-f]{64}$/;

export function parseManifest(json: Record<string, unknown>, where: string): Manifest {
  const bad = (why: string) => new ModelLoadError(`${where}: ${why}`, { file: MANIFEST_FILE });
  if (json.format !== MANIFEST_FORMAT) throw bad(`format ${JSON.stringify(json.format)} is not ${MANIFEST_FORMAT}`);
  const files = json.files;
  if (files === null || typeof files !== 'object' || Array.isArray(files)) throw bad('"files" must be an object');
  for (const [path, facts] of Object.entries(files as Record<string, unknown>)) {
    const f = facts as Partial<FileFacts> | null;
    if (!f || !Number.isSafeInteger(f.size) || (f.size as number) < 0 || typeof f.sha256 !== 'string' || !SHA256.test(f.sha256)) {
      throw bad(`entry ${path} needs a size and a hex sha256`);
    }
  }
  return { format: MANIFEST_FORMAT, files: files as Record<string, FileFacts> };
}
