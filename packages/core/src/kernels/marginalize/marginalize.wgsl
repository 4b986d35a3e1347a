// marginalize (stage 2 of RAG-Token marginalization), as RagTokenForGeneration.marginalize:
//   out[b, t, v] = logsumexp_z( x[b·n+z, t, v] − lse[r] + docLp[r] ),  r = (b·n + z)·seqLen + t
// with lse/docLp from marginalizeRowStats, so the (batch·nDocs × seqLen × vocab) log-softmax is
// never materialised.
// Shapes: x (batch·nDocs × seqLen × vocab) f32, stats (batch·nDocs·seqLen × 3) f32
//         -> out (batch × seqLen × vocab) f32.
// One invocation per output element (2-D folded). The logsumexp over docs is online: one pass
// over z keeping the running max m and Σ exp(a − m), rescaled when the max grows, so there is one
// exp per doc and every exp argument is ≤ 0.
// Numerics as torch.logsumexp, decided on bit patterns: −inf terms add 0 and all −inf gives −inf;
// a NaN term (a row of all −inf upstream) makes the result NaN.

struct Params {
  batch: u32,
  nDocs: u32,
  seqLen: u32,
  vocab: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// A WGSL constant expression must not be NaN; a bitcast of a private variable may.
var<private> nanBits: u32 = 0x7fc00000u;

fn isNegInf(v: f32) -> bool {
  return bitcast<u32>(v) == 0xff800000u;
}

fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.y * nwg.x * 256u + gid.x;
  let vocab = params.vocab;
  let seqLen = params.seqLen;
  if (i >= params.batch * seqLen * vocab) {
    return;
  }
  let v = i % vocab;
  let bt = i / vocab;
  let t = bt % seqLen;
  let b = bt / seqLen;

  var m = 0.0;
  var s = 0.0;
  var seen = false;
  var nan = false;
  var last = 0.0;
  for (var z = 0u; z < params.nDocs; z = z + 1u) {
    let r = (b * params.nDocs + z) * seqLen + t;
    let a = x[r * vocab + v] - stats[3u * r] + stats[3u * r + 2u];
    last = a;
    if (isNan(a)) {
      nan = true;
    } else if (!isNegInf(a)) {
      if (!seen) {
        m = a;
        s = 1.0;
        seen = true;
      } else if (a > m) {
        s = s * exp(m - a) + 1.0;
        m = a;
      } else {
        s = s + exp(a - m);
      }
    }
  }
  if (nan) {
    out[i] = bitcast<f32>(nanBits);
  } else if (seen) {
    out[i] = m + log(s);
  } else {
    out[i] = last; // every term was −inf: torch.logsumexp gives −inf
  }
}
