import { ModelLoadError } from '../errors.js';
import type { LocalFiles } from './local-files.js';

// Only Node resolves model folders (resolveModelSource); a browser reaching here is a bug of ours.
const unavailable = (): never => {
  throw new ModelLoadError('local model folders can only be read in Node; in a browser give a URL or a hub id');
};

export const localFiles: LocalFiles = { join: unavailable, exists: unavailable, size: unavailable, read: unavailable, digest: unavailable };
