// ragTokenNllLoss: the scalar tail of RagTokenForGeneration.get_nll over the per-position terms.
//   nllLoss[b] = −Σ_t rows[b, t].ll,   smoothLoss[b] = −Σ_t rows[b, t].smooth
//   (reduceLoss: both summed over b into one value), loss = (1 − ε)·nllLoss + (ε / vocab)·smoothLoss
// Shapes: rows (batch·seqLen × 2) f32 (padded positions already 0)
//         -> out (3·L) f32 = [loss | nllLoss | smoothLoss], L = batch, or 1 when reduced.
// A single invocation: batch·seqLen additions, summed in the reference's order. As in torch,
// ε = 0 with an infinite smoothLoss gives NaN (0·inf).

struct Params {
  batch: u32,
  seqLen: u32,
  vocab: u32,
  reduceLoss: u32,
  epsilon: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rows: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn emit(i: u32, count: u32, nll: f32, smoothLoss: f32) {
  out[i] = (1.0 - params.epsilon) * nll + (params.epsilon / f32(params.vocab)) * smoothLoss;
  out[count + i] = nll;
  out[2u * count + i] = smoothLoss;
}

@compute @workgroup_size(WG)
fn main() {
  var nllTotal = 0.0;
  var smoothTotal = 0.0;
  for (var b = 0u; b < params.batch; b = b + 1u) {
    var ll = 0.0;
    var sm = 0.0;
    for (var t = 0u; t < params.seqLen; t = t + 1u) {
      let bt = b * params.seqLen + t;
      ll = ll + rows[2u * bt];
      sm = sm + rows[2u * bt + 1u];
    }
    if (params.reduceLoss != 0u) {
      nllTotal = nllTotal - ll;
      smoothTotal = smoothTotal - sm;
    } else {
      emit(b, params.batch, -ll, -sm);
    }
  }
  if (params.reduceLoss != 0u) {
    emit(0u, 1u, nllTotal, smoothTotal);
  }
}
