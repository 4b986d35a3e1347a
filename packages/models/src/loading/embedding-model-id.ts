import { DTYPES } from '../dtypes.js';
import type { Manifest } from '../hub/manifest.js';
import { sha256Hex } from '../hub/sha256.js';
import { TOKENIZER_FILES, graphFile, graphSet, partFolder, type FolderKind } from '../layout/model-layout.js';

/**
 * The identity of the encoder that embeds passages (the DPR context encoder), which a knowledge
 * base records as its `modelId`: `sha256:` + the SHA-256 of the digests that the folder's
 * manifest.json gives for the encoder's graph, in every dtype the folder ships (q8 and fp32 of
 * one model embed alike), and for its tokenizer files. No path or URL enters it: the same files
 * give the same identity however the folder is reached. Undefined when the manifest does not
 * list them (no manifest, or no context encoder).
 */
export async function embeddingModelId(manifest: Manifest | undefined, folder: FolderKind): Promise<string | undefined> {
  if (!manifest) return undefined;
  const layout = partFolder(folder, 'ctx_encoder');
  const lines: string[] = [];
  for (const name of layout.graphSets) {
    for (const [role, graph] of Object.entries(graphSet(name).graphs)) {
      for (const dtype of DTYPES) {
        const facts = manifest.files[graphFile(graph, dtype)];
        if (facts?.sha256) lines.push(`graph ${role} ${dtype} ${facts.sha256}`);
      }
    }
  }
  if (lines.length === 0) return undefined;
  for (const file of TOKENIZER_FILES) {
    const facts = manifest.files[`${layout.tokenizer}${file}`];
    if (!facts?.sha256) return undefined;
    lines.push(`tokenizer ${file} ${facts.sha256}`);
  }
  return `sha256:${await sha256Hex(new TextEncoder().encode(lines.join('\n')))}`;
}
