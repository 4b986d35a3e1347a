// gatherRows: reorders rows along the leading (batch) axis.
//   dst[i, :] = src[indices[i], :]    for i < outRows
// Shapes:  src (rows × words) u32, indices (outRows) u32 in [0, rows)  ->  dst (outRows × words) u32
// Used after a beam step to reorder past key/value tensors [batch·beams, heads, seq, head_dim]
// on the GPU (a row is heads·seq·head_dim elements). The kernel moves 32-bit words and never
// reads them as numbers, so f32 rows (words = rowSize) and fp16 rows (words = rowSize / 2,
// rowSize even) are copied bit for bit, NaN payloads included. Indices are validated on the CPU
// (when they come from the beam scorer there) before upload.
// One invocation per destination word; consecutive invocations touch consecutive words of one
// row, so reads and writes are coalesced. One dispatch whatever outRows is, where
// copyBufferToBuffer would need one command per row.

struct Params {
  outRows: u32,
  words: u32, // 32-bit words per row
  rows: u32,
  _pad: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let g = invocationIndex(inv, lid);
  if (g >= params.outRows * params.words) {
    return;
  }
  let i = g / params.words;
  let w = g - i * params.words;
  // Indices made on the GPU (the fused beam step) are not validated on the CPU: clamp them.
  dst[g] = src[min(indices[i], params.rows - 1u) * params.words + w];
}
