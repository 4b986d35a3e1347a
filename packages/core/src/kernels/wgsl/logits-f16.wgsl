// Shared WGSL: decoder logits as f16 (an fp16 model's output), binding 1 of the kernels that
// read them. Two halves per u32 word, widened with the core builtin unpack2x16float, so no
// `shader-f16` feature is needed and every adapter (SwiftShader too) runs it; arithmetic stays f32.
@group(0) @binding(1) var<storage, read> x: array<u32>;

fn loadX(i: u32) -> f32 {
  return unpack2x16float(x[i >> 1u])[i & 1u];
}
