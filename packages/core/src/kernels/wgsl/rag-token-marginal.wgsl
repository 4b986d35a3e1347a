// Shared WGSL: the RAG-Token marginal log-probability
//   m[b, t, v] = logsumexp_z( x[b·n+z, t, v] − lse[r] + docLp[r] ),  r = (b·n + z)·seqLen + t,
// from the row stats of marginalizeRowStats. The logsumexp over docs is online: one pass over z
// keeping the running max and Σ exp(a − max), rescaled when the max grows, so there is one exp
// per doc and every exp argument is ≤ 0. Numerics as torch.logsumexp, decided on bit patterns:
// −inf terms add 0 and all −inf gives −inf; a NaN term makes the result NaN.
// The including kernel declares `params` (nDocs, seqLen, vocab), `stats` and the logits reader `loadX`, and includes
// float-bits.wgsl.
fn ragTokenMarginal(b: u32, t: u32, v: u32) -> f32 {
  var m = 0.0;
  var s = 0.0;
  var seen = false;
  var nan = false;
  var last = 0.0;
  for (var z = 0u; z < params.nDocs; z = z + 1u) {
    let r = (b * params.nDocs + z) * params.seqLen + t;
    let a = loadX(r * params.vocab + v) - stats[3u * r] + stats[3u * r + 2u];
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
    return bitcast<f32>(nanBits);
  }
  return select(last, m + log(s), seen);
}
