// Shared WGSL: the maximum of one row x[base .. base + vocab) by a workgroup of WG threads,
// strided over the row (any vocab) and tree-reduced in `scratch`. The including kernel declares
// `const WG`, the logits reader `loadX` and `var<workgroup> scratch: array<f32, WG>`, and calls this from
// uniform control flow (it has barriers).
fn workgroupRowMax(base: u32, vocab: u32, lid: u32) -> f32 {
  // The row's first value seeds every thread's max: it belongs to the row, so it never raises the max.
  var m = loadX(base);
  for (var v = lid; v < vocab; v = v + WG) {
    m = max(m, loadX(base + v));
  }
  scratch[lid] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      scratch[lid] = max(scratch[lid], scratch[lid + s]);
    }
    workgroupBarrier();
  }
  let rowMax = workgroupUniformLoad(&scratch[0]);
  workgroupBarrier();
  return rowMax;
}
