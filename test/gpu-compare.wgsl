// gpuCompare (test helper): counts the elements where `actual` is not close to `expected`.
//   bad(i) = |a − e| > abs + rel·|e|  for finite a and e;
//            otherwise bad unless both are NaN or both have the same bits (±inf)
// Shapes: actual, expected (length) f32 read as u32 bits  ->  result [count, first bad index].
// Inputs are read as bits so that NaN and ±inf are classified on patterns, not on float
// comparisons a backend may optimise under no-NaN assumptions. One invocation per element,
// 2-D folded; the first bad index is an atomicMin (0xffffffff when none).

struct Params {
  length: u32,
  absTol: f32,
  relTol: f32,
  _pad: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> actual: array<u32>;
@group(0) @binding(2) var<storage, read> expected: array<u32>;
@group(0) @binding(3) var<storage, read_write> result: array<atomic<u32>, 2>;

fn isFinite(bits: u32) -> bool {
  return (bits & 0x7f800000u) != 0x7f800000u;
}

fn isNan(bits: u32) -> bool {
  return (bits & 0x7fffffffu) > 0x7f800000u;
}

@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let i = invocationIndex(inv, lid);
  if (i >= params.length) {
    return;
  }
  let ab = actual[i];
  let eb = expected[i];
  var bad = false;
  if (isFinite(ab) && isFinite(eb)) {
    let a = bitcast<f32>(ab);
    let e = bitcast<f32>(eb);
    bad = abs(a - e) > params.absTol + params.relTol * abs(e);
  } else {
    bad = ab != eb && !(isNan(ab) && isNan(eb));
  }
  if (bad) {
    atomicAdd(&result[0], 1u);
    atomicMin(&result[1], i);
  }
}
