// marginalize (stage 2 of RAG-Token marginalization), as RagTokenForGeneration.marginalize:
//   out[b, t, v] = logsumexp_z( x[b·n+z, t, v] − lse[r] + docLp[r] ),  r = (b·n + z)·seqLen + t
// with lse/docLp from marginalizeRowStats, so the (batch·nDocs × seqLen × vocab) log-softmax is
// never materialised.
// Shapes: x (batch·nDocs × seqLen × vocab) f32, stats (batch·nDocs·seqLen × 3) f32
//         -> out (batch × seqLen × vocab) f32.
// One invocation per output element (2-D folded); the arithmetic is wgsl/rag-token-marginal.wgsl,
// shared with the RAG-Token NLL so both give the same bits.

struct Params {
  batch: u32,
  nDocs: u32,
  seqLen: u32,
  vocab: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
// binding 1, the logits `x`: wgsl/logits-{f32,f16}.wgsl (loadX)
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let i = invocationIndex(inv, lid);
  let vocab = params.vocab;
  let seqLen = params.seqLen;
  if (i >= params.batch * seqLen * vocab) {
    return;
  }
  let v = i % vocab;
  let bt = i / vocab;
  let t = bt % seqLen;
  let b = bt / seqLen;

  out[i] = ragTokenMarginal(b, t, v);
}
