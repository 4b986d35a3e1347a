/**
 * Non-cryptographic 64-bit content checksums (two independent FNV-1a lanes) for detecting torn
 * or mismatched writes, not tampering. A knowledge base's checksum is the XOR of its live
 * passages' checksums, so adding or removing a passage updates it without rereading the rest.
 */

const encoder = new TextEncoder();

/** 16 hex digits over `parts` in order; each part is length-prefixed so that boundaries count. */
export function checksumOf(parts: Array<Uint8Array | string | number>): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  const feed = (byte: number) => {
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x01000193) ^ (b >>> 15);
  };
  for (const part of parts) {
    const bytes = typeof part === 'string' ? encoder.encode(part) : typeof part === 'number' ? numberBytes(part) : part;
    const n = bytes.length;
    feed(n & 0xff);
    feed((n >>> 8) & 0xff);
    feed((n >>> 16) & 0xff);
    feed((n >>> 24) & 0xff);
    for (let i = 0; i < n; i++) feed(bytes[i]!);
  }
  return hex32(a) + hex32(b);
}

/** The checksum of one stored passage: id, title, text and the embedding's bytes. */
export function passageChecksum(id: number, title: string, text: string, embedding: Float32Array): string {
  return checksumOf([id, title, text, new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength)]);
}

/** XOR of two 16-hex-digit checksums (the identity is `EMPTY_CHECKSUM`). */
export function xorChecksums(x: string, y: string): string {
  return hex32((parseInt(x.slice(0, 8), 16) ^ parseInt(y.slice(0, 8), 16)) >>> 0) + hex32((parseInt(x.slice(8), 16) ^ parseInt(y.slice(8), 16)) >>> 0);
}

export const EMPTY_CHECKSUM = '0000000000000000';

function numberBytes(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, n, true);
  return out;
}

function hex32(x: number): string {
  return (x >>> 0).toString(16).padStart(8, '0');
}
