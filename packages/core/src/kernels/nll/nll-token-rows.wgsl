// ragTokenNllRows: per (b, t), the two position terms of RagTokenForGeneration.get_nll:
//   rows[bt] = ( ll = m[b, t, target],  smooth = Σ_v m[b, t, v] ),   0 and 0 where target = pad,
// m[b, t, v] = logsumexp_z( x[b·n+z, t, v] − lse[r] + docLp[r] ), r = (b·n + z)·seqLen + t, the
// RAG-Token marginal, recomputed on the fly from marginalizeRowStats (the same arithmetic as
// marginalize.wgsl) so the (batch × seqLen × vocab) marginal is never stored.
// target = labels[b, t + 1] for t < seqLen − 1, pad at the last position (HF's left shift).
// Shapes: x (batch·nDocs × seqLen × vocab) f32, stats (batch·nDocs·seqLen × 3) f32,
//         labels (batch × seqLen) u32 (int32 ids read as u32) -> rows (batch·seqLen × 2) f32.
// One workgroup of 256 per (b, t) (2-D folded), strided over vocab, tree-reduced sum.
// Numerics: the docs logsumexp is online (one exp per doc, arguments ≤ 0) with torch.logsumexp's
// special cases decided on bit patterns; padded positions are skipped outright, which equals
// HF's masked_fill (NaN included). A non-pad target ≥ vocab gives ll = NaN (torch would raise).

struct Params {
  batch: u32,
  nDocs: u32,
  seqLen: u32,
  vocab: u32,
  padTokenId: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
// binding 1, the logits `x`: wgsl/logits-{f32,f16}.wgsl (loadX)
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> rows: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let bt = workgroupIndex(inv);
  let seqLen = params.seqLen;
  if (bt >= params.batch * seqLen) {
    return;
  }
  let t = bt % seqLen;
  let b = bt / seqLen;
  var tgt = params.padTokenId;
  if (t + 1u < seqLen) {
    tgt = labels[bt + 1u];
  }
  if (tgt == params.padTokenId) {
    if (lid == 0u) {
      rows[2u * bt] = 0.0;
      rows[2u * bt + 1u] = 0.0;
    }
    return;
  }

  var sum = 0.0;
  for (var v = lid; v < params.vocab; v = v + WG) {
    sum = sum + ragTokenMarginal(b, t, v);
  }
  partial[lid] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      partial[lid] = partial[lid] + partial[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var ll = bitcast<f32>(nanBits);
    if (tgt < params.vocab) {
      ll = ragTokenMarginal(b, t, tgt);
    }
    rows[2u * bt] = ll;
    rows[2u * bt + 1u] = partial[0];
  }
}
