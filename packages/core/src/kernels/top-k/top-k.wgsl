// topK: the k largest entries of every row of a (rows × cols) f32 matrix, sorted descending.
//   ids[r, j], values[r, j] (j < k) = column and score of the j-th largest entry of scores[r, :]
// Shapes:  scores (rows × cols) f32  ->  ids (rows × k) u32, values (rows × k) f32
//          scratch candidates (rows × numChunks × slots) (key, column) pairs between the passes
// Beam search asks for k = 2·num_beams over the flattened (beams × V) scores of each batch item.
//
// Order (a total order, so the result is unique): higher score first; equal scores by LOWER
// column first; -0 == +0; -Infinity is an ordinary lowest score, so masked tokens come back
// (lowest columns first) only when k exceeds the finite entries; NaN ranks below -Infinity and is
// returned only when k exceeds the non-NaN entries. Scores are compared as u32 keys made from
// their bits by a monotone map (orderKey), never as floats: WGSL lets an implementation assume
// that no NaN or infinity reaches a float comparison. values[] are the input bits, unchanged.
//
// Design, for cols = beams·V ≈ 150k, rows ≤ 8, k ≤ 16 (usable to k = 1024):
//   pass 1 `chunkTopK`: one 256-thread workgroup per (row, chunk of 4096 columns), so
//     rows·⌈cols/4096⌉ workgroups stream the scores once, coalesced (thread t holds columns
//     t, t+256, … of its chunk as 16 keys in registers). Then min(k, chunk length) selection
//     rounds. Each thread's offer is its best key not yet selected; 16 groups of 16 threads
//     keep their group's best in workgroup memory. In a round every thread reads the 16 group
//     bests (broadcast) and so knows the winner; only the winning thread rescans its 16 keys,
//     and only its group's best is recomputed: one barrier per round, where a tree reduction
//     would need nine (barriers dominate, above all on SwiftShader). Writes `slots` =
//     min(k, 4096) pairs per chunk, padded with a sentinel (key 0, column 0xffffffff) that
//     ranks below every real entry.
//   pass 2 `mergeTopK`: one workgroup per row runs the same rounds over the row's chunk
//     candidates (37·16 = 592 for cols = 3·50265, k = 16), read from the scratch buffer, and
//     writes the k ids and the scores' original bits.
// Binding 2 is pass 1's output and pass 2's input: it is declared read_write for both.

struct Params {
  rows: u32,
  cols: u32,
  k: u32,
  numChunks: u32, // ⌈cols / CHUNK⌉
  slots: u32,     // candidates written per chunk: min(k, CHUNK)
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<u32>; // f32 bits
@group(0) @binding(2) var<storage, read_write> candidates: array<vec2<u32>>; // (key, column)
@group(0) @binding(3) var<storage, read_write> ids: array<u32>;
@group(0) @binding(4) var<storage, read_write> values: array<u32>; // f32 bits

// WG and PER_THREAD come from top-k.ts; CHUNK = WG · PER_THREAD columns per pass-1 workgroup.
const CHUNK: u32 = WG * PER_THREAD;
const SENTINEL: vec2<u32> = vec2<u32>(0u, 0xffffffffu);
// Above every real (key, column): the limit of the first round.
const TOP: vec2<u32> = vec2<u32>(0xffffffffu, 0u);

// Selection state shared by both passes. Thread t's offer (its best pair not yet selected) sits
// in offers[t]; threads form GROUPS groups of GROUP_SIZE, and groupBest holds each group's best
// offer, in two halves alternating by round parity (see advanceRound).
const GROUP_SIZE: u32 = 16u;
const GROUPS: u32 = WG / GROUP_SIZE;
var<workgroup> offers: array<vec2<u32>, WG>;
var<workgroup> groupBest: array<vec2<u32>, 2u * GROUPS>;

// Monotone map f32 bits -> u32: a < b as numbers iff key(a) < key(b). NaN -> 0 (below -Infinity,
// whose key is 0x007fffff); -0 -> key(+0).
fn orderKey(bits: u32) -> u32 {
  if ((bits & 0x7fffffffu) > 0x7f800000u) {
    return 0u;
  }
  if (bits == 0x80000000u) {
    return 0x80000000u;
  }
  if ((bits & 0x80000000u) != 0u) {
    return ~bits;
  }
  return bits | 0x80000000u;
}

// a ranks before b: higher key, then lower column.
fn better(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.x > b.x || (a.x == b.x && a.y < b.y);
}

fn bestOfGroup(g: u32) -> vec2<u32> {
  var best = offers[g * GROUP_SIZE];
  for (var i = 1u; i < GROUP_SIZE; i = i + 1u) {
    let o = offers[g * GROUP_SIZE + i];
    if (better(o, best)) {
      best = o;
    }
  }
  return best;
}

// Every thread publishes its first offer; group bests go to half 0. Uniform control flow.
fn publishOffers(lid: u32, offer: vec2<u32>) {
  offers[lid] = offer;
  workgroupBarrier();
  if (lid < GROUPS) {
    groupBest[lid] = bestOfGroup(lid);
  }
  workgroupBarrier();
}

// The best of the group bests in half `h`, read by every thread (broadcast reads):
// (key, column, winning group).
fn roundWinner(h: u32) -> vec3<u32> {
  var best = groupBest[h * GROUPS];
  var group = 0u;
  for (var g = 1u; g < GROUPS; g = g + 1u) {
    let o = groupBest[h * GROUPS + g];
    if (better(o, best)) {
      best = o;
      group = g;
    }
  }
  return vec3<u32>(best, group);
}

// After round winner w (read from half h): only the winning thread's offer changes, so only its
// group's best does. The winner publishes its next offer and recomputes its group into half
// 1 − h, the first GROUPS threads carry the other groups over, and one barrier per round
// separates this round's reads of half h from the next round's writes to it.
fn advanceRound(lid: u32, h: u32, w: vec3<u32>, isWinner: bool, next: vec2<u32>) {
  let other = (1u - h) * GROUPS;
  if (lid < GROUPS && lid != w.z) {
    groupBest[other + lid] = groupBest[h * GROUPS + lid];
  }
  if (isWinner) {
    offers[lid] = next;
    groupBest[other + w.z] = bestOfGroup(w.z);
  }
  workgroupBarrier();
}

// This thread's best score of its chunk strictly after `limit` in the order.
fn bestOwnBelow(keys: ptr<function, array<u32, PER_THREAD>>, lid: u32, start: u32, len: u32, limit: vec2<u32>) -> vec2<u32> {
  var best = SENTINEL;
  for (var m = 0u; m < PER_THREAD; m = m + 1u) {
    let c = m * WG + lid;
    if (c >= len) {
      break;
    }
    let cand = vec2<u32>((*keys)[m], start + c);
    if (better(limit, cand) && better(cand, best)) {
      best = cand;
    }
  }
  return best;
}

@compute @workgroup_size(WG)
fn chunkTopK(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let group = workgroupIndex(inv);
  if (group >= params.rows * params.numChunks) {
    return;
  }
  let row = group / params.numChunks;
  let start = (group % params.numChunks) * CHUNK;
  let len = min(CHUNK, params.cols - start);
  let rowBase = row * params.cols;
  var keys: array<u32, PER_THREAD>;
  for (var m = 0u; m < PER_THREAD; m = m + 1u) {
    let c = m * WG + lid;
    if (c < len) {
      keys[m] = orderKey(scores[rowBase + start + c]);
    }
  }
  var offer = bestOwnBelow(&keys, lid, start, len, TOP);
  publishOffers(lid, offer);
  let rounds = min(params.k, len);
  let out = group * params.slots;
  for (var j = 0u; j < rounds; j = j + 1u) {
    let h = j & 1u;
    let w = roundWinner(h);
    if (lid == 0u) {
      candidates[out + j] = w.xy;
    }
    let isWinner = offer.y == w.y;
    if (isWinner) {
      offer = bestOwnBelow(&keys, lid, start, len, w.xy);
    }
    advanceRound(lid, h, w, isWinner, offer);
  }
  for (var j = rounds + lid; j < params.slots; j = j + WG) {
    candidates[out + j] = SENTINEL;
  }
}

// This thread's best candidate of the row (it owns candidates lid, lid+256, …) after `limit`.
fn bestCandidateBelow(base: u32, n: u32, lid: u32, limit: vec2<u32>) -> vec2<u32> {
  var best = SENTINEL;
  for (var m = lid; m < n; m = m + WG) {
    let cand = candidates[base + m];
    if (better(limit, cand) && better(cand, best)) {
      best = cand;
    }
  }
  return best;
}

@compute @workgroup_size(WG)
fn mergeTopK(inv: Workgroup, @builtin(local_invocation_index) lid: u32) {
  let row = workgroupIndex(inv);
  if (row >= params.rows) {
    return;
  }
  let n = params.numChunks * params.slots;
  let base = row * n;
  var offer = bestCandidateBelow(base, n, lid, TOP);
  publishOffers(lid, offer);
  for (var j = 0u; j < params.k; j = j + 1u) {
    let h = j & 1u;
    let w = roundWinner(h);
    if (lid == 0u) {
      ids[row * params.k + j] = w.y;
      values[row * params.k + j] = scores[row * params.cols + w.y];
    }
    let isWinner = offer.y == w.y;
    if (isWinner) {
      offer = bestCandidateBelow(base, n, lid, w.xy);
    }
    advanceRound(lid, h, w, isWinner, offer);
  }
}
