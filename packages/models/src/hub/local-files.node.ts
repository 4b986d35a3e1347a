import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalFiles } from './local-files.js';

export const localFiles: LocalFiles = {
  join,
  exists: async (path) => existsSync(path),
  size: async (file) => (await stat(file)).size,
  read: async (file) => new Uint8Array(await readFile(file)),
  async digest(file) {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
    }
    return { size, sha256: hash.digest('hex') };
  },
};
