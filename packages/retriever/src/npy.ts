import { KnowledgeBaseCorruptError } from './errors.js';

/**
 * The NumPy `.npy` format for the one array a knowledge-base folder holds: float32, 2-D
 * (passages × dimension), C order — what `np.save(path, embeddings.astype(np.float32))` writes
 * and `np.load` reads. Format versions 1.0–3.0 are read; 1.0 is written, its header padded so
 * that the data starts on a 64-byte boundary, as NumPy does.
 */

export interface NpyMatrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function readNpy(bytes: Uint8Array, what = '.npy file'): NpyMatrix {
  const fail = (reason: string): never => {
    throw new KnowledgeBaseCorruptError(`${what}: ${reason}`, { file: what, reason });
  };
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) fail('not a .npy file (bad magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated header');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    return fail(`unsupported format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return fail(`unreadable header ${JSON.stringify(header)}`);
  if (descr !== '<f4' && descr !== '>f4') fail(`dtype ${descr} is not float32 (save with .astype(np.float32))`);
  if (fortran === 'True') fail('Fortran-order arrays are not supported (save a C-contiguous array)');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.length !== 2 || shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`shape (${shapeText}) is not 2-D (passages × dimension)`);
  const [rows, cols] = shape as [number, number];
  const byteLength = rows * cols * 4;
  if (bytes.length - dataStart < byteLength) fail(`holds ${bytes.length - dataStart} data bytes, shape (${rows}, ${cols}) needs ${byteLength}`);

  const data = new Float32Array(rows * cols);
  const little = descr === '<f4';
  if (little && (bytes.byteOffset + dataStart) % 4 === 0) {
    data.set(new Float32Array(bytes.buffer, bytes.byteOffset + dataStart, rows * cols));
  } else {
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + 4 * i, little);
  }
  return { rows, cols, data };
}

export function writeNpy(matrix: NpyMatrix): Uint8Array {
  const { rows, cols, data } = matrix;
  if (data.length !== rows * cols) throw new RangeError(`writeNpy: ${data.length} values do not fill (${rows}, ${cols})`);
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  // 10 bytes of preamble + dict + padding + '\n' must be a multiple of 64.
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - 10 - dict.length - 1) + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; i++) body.setFloat32(4 * i, data[i]!, true);
  return out;
}
