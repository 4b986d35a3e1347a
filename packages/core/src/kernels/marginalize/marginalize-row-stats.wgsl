// marginalizeRowStats (stage 1 of RAG marginalization): per-row log-softmax statistics, so that
// later stages get log_softmax(x)[r, v] = x[r, v] − lse[r] without materialising it.
//   stats[r] = ( lse[r]     = m_r + log Σ_v exp(x[r, v] − m_r),        m_r = max_v x[r, v],
//                sumLp[r]   = Σ_v log_softmax(x[r])_v = Σ_v (x[r, v] − m_r) − vocab·log S_r,
//                docLp[r]   = log_softmax(docScores[b])_z )
// Shapes: x (batch·nDocs × seqLen × vocab) f32, docScores (batch × nDocs) f32
//         -> stats (batch·nDocs·seqLen × 3) f32, row r = (b·nDocs + z)·seqLen + t.
// One workgroup of 256 per row (2-D folded), strided over vocab (any size), max then sums, each
// tree-reduced in workgroup memory; the row max shift keeps exp in [0, 1] for rows at ±100.
// Numerics as torch.log_softmax, decided on bit patterns (no inf − inf is evaluated): −inf
// entries add 0 to S and make sumLp −inf; a row of all −inf gives lse = sumLp = NaN, so that
// every x − lse downstream is NaN as torch gives. docLp: n ≤ a few dozen, so thread 0 computes
// it serially; −inf scores give −inf, all −inf gives NaN. +inf/NaN inputs are not handled.

struct Params {
  rows: u32,
  vocab: u32,
  seqLen: u32,
  nDocs: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
// binding 1, the logits `x`: wgsl/logits-{f32,f16}.wgsl (loadX)
@group(0) @binding(2) var<storage, read> docScores: array<f32>;
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;

var<workgroup> scratch: array<f32, WG>;
var<workgroup> linSums: array<f32, WG>;
var<workgroup> sawNegInf: atomic<u32>;
// A WGSL constant expression must not be inf; a bitcast of a private variable may.
var<private> negInfBits: u32 = 0xff800000u;

fn docLogProb(b: u32, z: u32) -> f32 {
  let n = params.nDocs;
  let base = b * n;
  var m = docScores[base];
  for (var k = 1u; k < n; k = k + 1u) {
    m = max(m, docScores[base + k]);
  }
  if (isNegInf(m)) {
    return bitcast<f32>(nanBits);
  }
  var s = 0.0;
  for (var k = 0u; k < n; k = k + 1u) {
    let d = docScores[base + k];
    if (!isNegInf(d)) {
      s = s + exp(d - m);
    }
  }
  let d = docScores[base + z];
  return select(d - (m + log(s)), d, isNegInf(d));
}

@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let row = workgroupIndex(inv);
  if (row >= params.rows) {
    return;
  }
  let vocab = params.vocab;
  let base = row * vocab;

  let rowMax = workgroupRowMax(base, vocab, lid);

  var e = 0.0;
  var l = 0.0;
  if (!isNegInf(rowMax)) {
    for (var v = lid; v < vocab; v = v + WG) {
      let xv = loadX(base + v);
      if (isNegInf(xv)) {
        atomicStore(&sawNegInf, 1u);
      } else {
        e = e + exp(xv - rowMax);
        l = l + (xv - rowMax);
      }
    }
  }
  scratch[lid] = e;
  linSums[lid] = l;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      scratch[lid] = scratch[lid] + scratch[lid + s];
      linSums[lid] = linSums[lid] + linSums[lid + s];
    }
    workgroupBarrier();
  }

  if (lid == 0u) {
    let outBase = row * 3u;
    let q = row / params.seqLen;
    stats[outBase + 2u] = docLogProb(q / params.nDocs, q % params.nDocs);
    if (isNegInf(rowMax)) {
      let nan = bitcast<f32>(nanBits);
      stats[outBase] = nan;
      stats[outBase + 1u] = nan;
      return;
    }
    let logS = log(scratch[0]);
    stats[outBase] = rowMax + logS;
    if (atomicLoad(&sawNegInf) != 0u) {
      stats[outBase + 1u] = bitcast<f32>(negInfBits);
    } else {
      stats[outBase + 1u] = linSums[0] - f32(vocab) * logS;
    }
  }
}
