// ipScores: inner products of a batch of queries with every row of a passage-embedding matrix.
//   scores[q, n] = sum_h queries[q, h] * corpus[n, h]
// Shapes:  queries (Q × D) f32, corpus (N × D) f32  ->  scores (Q × N) f32
// The brute-force half of ExactIndex (top-k selection follows with core's runTopK). N may be a
// shard of the corpus: ExactIndex splits corpora larger than one storage binding.
// One invocation per (q, n), linear id q·N + n, so a row of scores is written contiguously.
// Serial dot product in h order, accumulated in f32: the same order as the TS reference
// (ip-scores.ref.ts), which rounds every step to f32.

struct Params {
  queries: u32,
  rows: u32,
  dim: u32,
  _pad: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<f32>;
@group(0) @binding(2) var<storage, read> corpus: array<f32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.y * nwg.x * 64u + gid.x;
  if (i >= params.queries * params.rows) {
    return;
  }
  let q = i / params.rows;
  let n = i - q * params.rows;
  let qBase = q * params.dim;
  let cBase = n * params.dim;
  var acc = 0.0;
  for (var h = 0u; h < params.dim; h = h + 1u) {
    acc = acc + queries[qBase + h] * corpus[cBase + h];
  }
  scores[i] = acc;
}
