// logitsEdits: the logits processors of one decoding step, plus the running beam scores.
//   out[r, v] = edited(r, v) + beamScores[r]
//   edited(r, v) = 0        if the row has a force list and v is in it     (ForcedBOS/ForcedEOS)
//                = -inf     if the row has a force list and v is not in it
//                = -inf     if v is in the row's ban list               (MinLength, NoRepeatNGram, NoBadWords)
//                = -inf     if the row has an allow list and v is not in it (PrefixConstrained)
//                = scores[r, v] otherwise
// Shapes: scores (rows × V) f32, beamScores (rows) f32, rowSpecs (rows × 6) u32 =
//   [banStart, banLen, allowStart, allowLen, forceStart, forceLen], tokens (any) u32 holding
//   every list -> out (rows × V) f32. allowLen / forceLen == NONE means "no such list".
// transformers applies the forcing processors last, so forcing wins over bans. Lists are a
// handful of ids per row, so a linear scan per element is cheaper than building a mask.

const NONE: u32 = 0xffffffffu;

struct Params {
  rows: u32,
  vocab: u32,
  // -Infinity comes in as a uniform: WGSL constant expressions cannot produce infinities.
  negInf: f32,
  _pad: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read> beamScores: array<f32>;
@group(0) @binding(3) var<storage, read> rowSpecs: array<u32>;
@group(0) @binding(4) var<storage, read> tokens: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

fn inList(v: u32, start: u32, len: u32) -> bool {
  for (var i = 0u; i < len; i = i + 1u) {
    if (tokens[start + i] == v) {
      return true;
    }
  }
  return false;
}

@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let idx = invocationIndex(inv, lid);
  if (idx >= params.rows * params.vocab) {
    return;
  }
  let r = idx / params.vocab;
  let v = idx % params.vocab;
  let spec = r * 6u;
  let negInf = params.negInf;
  var s = scores[idx];
  if (rowSpecs[spec + 5u] != NONE) {
    s = select(negInf, 0.0, inList(v, rowSpecs[spec + 4u], rowSpecs[spec + 5u]));
  } else if (inList(v, rowSpecs[spec], rowSpecs[spec + 1u])) {
    s = negInf;
  } else if (rowSpecs[spec + 3u] != NONE && !inList(v, rowSpecs[spec + 2u], rowSpecs[spec + 3u])) {
    s = negInf;
  }
  out[idx] = s + beamScores[r];
}
