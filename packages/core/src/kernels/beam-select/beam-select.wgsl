// beamSelect: the running beams transformers' beam search keeps after a step
// (`_get_running_beams_for_next_iteration`), computed on the GPU from the step's top-k so that
// the key/value cache can be reordered in the same command buffer, before anything is read back.
//   live[i] = values[b, i] + (−1e9 if hits(i) else 0)    hits(i) = reachesMax or ids[b, i] % V is an EOS id
//   chosen  = the numBeams largest live, ties to the lower candidate index (the scorer's stableTopK)
//   nextBeamIndices[b·numBeams + j] = b·numBeams + ids[b, chosen_j] / V          (the flat beam row)
//   cacheRows[(b·numBeams + j)·nDocs + z] = nextBeamIndices[b·numBeams + j]·nDocs + z
// Shapes: ids (batch × k) u32 = beam·V + token, values (batch × k) f32, eosIds (numEos, ≥ 1 word)
//         -> nextBeamIndices (batch·numBeams) u32, cacheRows (batch·numBeams·nDocs) u32.
// The CPU scorer stays the authority: the decode loop compares nextBeamIndices with its choice and
// reorders again on the rare mismatch. One invocation per batch item; k and numBeams are small,
// so the selection is numBeams serial passes over k candidates (no arrays, no sort).

struct Params {
  batch: u32,
  k: u32,
  numBeams: u32,
  vocab: u32,
  nDocs: u32,
  numEos: u32,
  reachesMax: u32,
  _pad: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read> eosIds: array<u32>;
@group(0) @binding(4) var<storage, read_write> nextBeamIndices: array<u32>;
@group(0) @binding(5) var<storage, read_write> cacheRows: array<u32>;

fn isEos(token: u32) -> bool {
  for (var e = 0u; e < params.numEos; e = e + 1u) {
    if (eosIds[e] == token) {
      return true;
    }
  }
  return false;
}

fn live(base: u32, i: u32) -> f32 {
  let v = values[base + i];
  if (params.reachesMax != 0u || isEos(ids[base + i] % params.vocab)) {
    // transformers' `+ flag * -1.0e9` in float32: the sum is rounded to f32, as the scorer's f32().
    return v + -1.0e9;
  }
  return v;
}

@compute @workgroup_size(WG)
fn main(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let b = invocationIndex(inv, lid);
  if (b >= params.batch) {
    return;
  }
  let base = b * params.k;
  // The previous pick; each pass takes the best candidate strictly after it in (live desc, index asc).
  var prevLive = 0.0;
  var prevIndex = 0u;
  for (var j = 0u; j < params.numBeams; j = j + 1u) {
    var best = 0u;
    var bestLive = 0.0;
    var found = false;
    for (var i = 0u; i < params.k; i = i + 1u) {
      let l = live(base, i);
      let after = j == 0u || l < prevLive || (l == prevLive && i > prevIndex);
      if (after && (!found || l > bestLive)) {
        best = i;
        bestLive = l;
        found = true;
      }
    }
    prevLive = bestLive;
    prevIndex = best;
    let row = b * params.numBeams + j;
    let beamRow = b * params.numBeams + ids[base + best] / params.vocab;
    nextBeamIndices[row] = beamRow;
    for (var z = 0u; z < params.nDocs; z = z + 1u) {
      cacheRows[row * params.nDocs + z] = beamRow * params.nDocs + z;
    }
  }
}
