// ragSequenceNllLoss: RagSequenceForGeneration.get_nll from the per-row log-softmax statistics.
// With target = labels shifted left (pad last) and lp[z, t, v] = x[r, v] − lse[r] + (t = 1 ? docLp[r] : 0),
// r = (b·n + z)·seqLen + t (HF adds the doc prior to the second position only):
//   ll_z = Σ_{t: target ≠ pad} lp[z, t, target_t]   (t = 0 skipped when exclude_bos_score and
//          every question's target_0 is BOS, HF's use_bos)
//   smooth_z = Σ_{t: target ≠ pad} (sumLp[r] + (t = 1 ? vocab·docLp[r] : 0))
//   nllLoss[b] = −logsumexp_z ll_z,  smoothLoss[b] = −logsumexp_z smooth_z, reduceLoss sums over b,
//   loss = (1 − ε)·nllLoss + (ε / vocab)·smoothLoss.
// Shapes: x (batch·nDocs × seqLen × vocab) f32, stats (batch·nDocs·seqLen × 3) f32 from
//         marginalizeRowStats, labels (batch × seqLen) u32 -> out (3·L) f32 = [loss | nllLoss |
//         smoothLoss], L = batch, or 1 when reduced.
// A single invocation: batch·nDocs·seqLen steps, in the reference's order. The docs logsumexp is
// online with torch.logsumexp's special cases on bit patterns. A non-pad target ≥ vocab gives NaN.

struct Params {
  batch: u32,
  nDocs: u32,
  seqLen: u32,
  vocab: u32,
  padTokenId: u32,
  bosTokenId: u32,
  // bit 0: reduce_loss, bit 1: exclude_bos_score, bit 2: a BOS id exists
  flags: u32,
  epsilon: f32,
};

@group(0) @binding(0) var<uniform> params: Params;
// binding 1, the logits `x`: wgsl/logits-{f32,f16}.wgsl (loadX)
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

struct LogSumExp {
  m: f32,
  s: f32,
  last: f32,
  seen: bool,
  nan: bool,
};

fn lseAdd(acc: ptr<function, LogSumExp>, a: f32) {
  (*acc).last = a;
  if (isNan(a)) {
    (*acc).nan = true;
  } else if (!isNegInf(a)) {
    if (!(*acc).seen) {
      (*acc).m = a;
      (*acc).s = 1.0;
      (*acc).seen = true;
    } else if (a > (*acc).m) {
      (*acc).s = (*acc).s * exp((*acc).m - a) + 1.0;
      (*acc).m = a;
    } else {
      (*acc).s = (*acc).s + exp(a - (*acc).m);
    }
  }
}

fn lseValue(acc: LogSumExp) -> f32 {
  if (acc.nan) {
    return bitcast<f32>(nanBits);
  }
  return select(acc.last, acc.m + log(acc.s), acc.seen);
}

fn shiftedTarget(b: u32, t: u32) -> u32 {
  if (t + 1u < params.seqLen) {
    return labels[b * params.seqLen + t + 1u];
  }
  return params.padTokenId;
}

fn emit(i: u32, count: u32, nll: f32, smoothLoss: f32) {
  out[i] = (1.0 - params.epsilon) * nll + (params.epsilon / f32(params.vocab)) * smoothLoss;
  out[count + i] = nll;
  out[2u * count + i] = smoothLoss;
}

@compute @workgroup_size(WG)
fn main() {
  let vocab = params.vocab;
  var useBos = (params.flags & 4u) != 0u;
  for (var b = 0u; b < params.batch; b = b + 1u) {
    useBos = useBos && shiftedTarget(b, 0u) == params.bosTokenId;
  }
  let skipFirst = useBos && (params.flags & 2u) != 0u;
  let reduce = (params.flags & 1u) != 0u;

  var nllTotal = 0.0;
  var smoothTotal = 0.0;
  for (var b = 0u; b < params.batch; b = b + 1u) {
    var llDocs = LogSumExp(0.0, 0.0, 0.0, false, false);
    var smoothDocs = LogSumExp(0.0, 0.0, 0.0, false, false);
    for (var z = 0u; z < params.nDocs; z = z + 1u) {
      var ll = 0.0;
      var sm = 0.0;
      for (var t = 0u; t < params.seqLen; t = t + 1u) {
        let id = shiftedTarget(b, t);
        if (id == params.padTokenId) {
          continue;
        }
        let r = (b * params.nDocs + z) * params.seqLen + t;
        var prior = 0.0;
        if (t == 1u) {
          prior = stats[3u * r + 2u];
        }
        if (!(skipFirst && t == 0u)) {
          var lp = bitcast<f32>(nanBits);
          if (id < vocab) {
            lp = loadX(r * vocab + id) - stats[3u * r] + prior;
          }
          ll = ll + lp;
        }
        sm = sm + select(stats[3u * r + 1u], stats[3u * r + 1u] + f32(vocab) * prior, t == 1u);
      }
      lseAdd(&llDocs, ll);
      lseAdd(&smoothDocs, sm);
    }
    let nll = -lseValue(llDocs);
    let smoothLoss = -lseValue(smoothDocs);
    if (reduce) {
      nllTotal = nllTotal + nll;
      smoothTotal = smoothTotal + smoothLoss;
    } else {
      emit(b, params.batch, nll, smoothLoss);
    }
  }
  if (reduce) {
    emit(0u, 1u, nllTotal, smoothTotal);
  }
}
