// logSoftmax: row-wise, numerically stable log_softmax over the last axis.
//   y[r, v] = x[r, v] − (m_r + log Σ_u exp(x[r, u] − m_r)),   m_r = max_u x[r, u]
// Shapes: x (rows × vocab) f32  ->  y (rows × vocab) f32; any vocab (50265 is not a multiple of
// the workgroup size: every loop is strided and bound-checked).
// One workgroup of WG threads per row (rows folded into 2-D dispatches): a strided max, tree-reduced in
// workgroup memory; a strided Σ exp(x − m), tree-reduced; a strided write. Subtracting the row
// max first keeps every exp in [0, 1], so rows at ±100 neither overflow nor underflow to 0/0.
// Numerics follow torch.log_softmax: a −inf entry gives −inf and adds 0 to the sum; a row of all
// −inf gives NaN. Both are decided on bit patterns, so no inf − inf is ever evaluated and the
// result does not hang on how the backend treats infinities. Inputs are otherwise assumed finite
// (+inf and NaN inputs are not handled specially).

struct Params {
  rows: u32,
  vocab: u32,
  _pad0: u32,
  _pad1: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
// binding 1, the logits `x`: wgsl/logits-{f32,f16}.wgsl (loadX)
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

var<workgroup> scratch: array<f32, WG>;
@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let row = workgroupIndex(inv);
  if (row >= params.rows) {
    return;
  }
  let vocab = params.vocab;
  let base = row * vocab;

  let rowMax = workgroupRowMax(base, vocab, lid);

  if (isNegInf(rowMax)) {
    let nan = bitcast<f32>(nanBits);
    for (var v = lid; v < vocab; v = v + WG) {
      y[base + v] = nan;
    }
    return;
  }

  var sum = 0.0;
  for (var v = lid; v < vocab; v = v + WG) {
    let xv = loadX(base + v);
    if (!isNegInf(xv)) {
      sum = sum + exp(xv - rowMax);
    }
  }
  scratch[lid] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      scratch[lid] = scratch[lid] + scratch[lid + s];
    }
    workgroupBarrier();
  }
  let shift = rowMax + log(workgroupUniformLoad(&scratch[0]));

  for (var v = lid; v < vocab; v = v + WG) {
    let xv = loadX(base + v);
    y[base + v] = select(xv - shift, xv, isNegInf(xv));
  }
}
