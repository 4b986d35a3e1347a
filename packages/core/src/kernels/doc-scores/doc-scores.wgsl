// docScores: batched inner product of question embeddings with their retrieved docs.
//   scores[b, z] = sum_h question[b, h] * docs[b, z, h]
// Shapes:  question  (B × H) f32, docs (B × nDocs × H) f32  ->  scores (B × nDocs) f32
// Matches RagModel: torch.bmm(question_encoder_last_hidden_state.unsqueeze(1),
//                             retrieved_doc_embeds.transpose(1, 2)).squeeze(1)
// One invocation per (b, z); H is small (≤ 1024), so a serial dot product per thread is
// cheaper than a workgroup reduction and sums in the same order as the TS reference.

struct Params {
  batch: u32,
  nDocs: u32,
  hidden: u32,
  _pad: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> question: array<f32>;
@group(0) @binding(2) var<storage, read> docs: array<f32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.y * nwg.x * 64u + gid.x;
  if (row >= params.batch * params.nDocs) {
    return;
  }
  let b = row / params.nDocs;
  let qBase = b * params.hidden;
  let dBase = row * params.hidden;
  var acc = 0.0;
  for (var h = 0u; h < params.hidden; h = h + 1u) {
    acc = acc + question[qBase + h] * docs[dBase + h];
  }
  scores[row] = acc;
}
