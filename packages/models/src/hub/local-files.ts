import type { FileFacts } from './manifest.js';

/**
 * Model files in a local folder (Node only). Loading imports it as `#local-files` (package.json
 * "imports"): the `node` condition picks local-files.node.ts, anything else the browser version,
 * which has no `node:` imports, so browser bundles never see Node's modules.
 */
export interface LocalFiles {
  /** The path of `path` in folder `dir`. */
  join(dir: string, path: string): string;
  /** Whether anything (file or folder) is at `path`. */
  exists(path: string): Promise<boolean>;
  /** A file's size in bytes. Rejects with the file system's error (`code: 'ENOENT'` when missing). */
  size(file: string): Promise<number>;
  read(file: string): Promise<Uint8Array>;
  /** Size and hex SHA-256 of a file, streamed (never all in memory). */
  digest(file: string): Promise<Required<FileFacts>>;
}
