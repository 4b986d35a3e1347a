// ipScores: inner products of a batch of queries with rows of an embedding matrix.
//   scores[q, n] = sum_h queries[q, h] * corpus[q·rowStride + n, h]
// Shapes:  queries (Q × D) f32, corpus (N × D) f32 shared by every query (rowStride 0: the
//          brute-force half of ExactIndex), or (Q × N × D) with each query's own rows
//          (rowStride N: RagModel's doc scores, torch.bmm(question.unsqueeze(1),
//          retrieved_doc_embeds.transpose(1, 2)))  ->  scores (Q × N) f32.
// One invocation per (q, n), linear id q·N + n, so a row of scores is written contiguously.
// Serial dot product in h order, accumulated in f32: the order of the TS reference, which
// rounds every step to f32. D ≤ a few thousand, so no workgroup reduction is needed.

struct Params {
  queries: u32,
  rows: u32,
  dim: u32,
  rowStride: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<f32>;
@group(0) @binding(2) var<storage, read> corpus: array<f32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let i = invocationIndex(inv, lid);
  if (i >= params.queries * params.rows) {
    return;
  }
  let q = i / params.rows;
  let n = i - q * params.rows;
  let qBase = q * params.dim;
  let cBase = (q * params.rowStride + n) * params.dim;
  var acc = 0.0;
  for (var h = 0u; h < params.dim; h = h + 1u) {
    acc = acc + queries[qBase + h] * corpus[cBase + h];
  }
  scores[i] = acc;
}
