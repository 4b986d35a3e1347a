// Shared WGSL: decoder logits as f32, binding 1 of the kernels that read them.
@group(0) @binding(1) var<storage, read> x: array<f32>;

fn loadX(i: u32) -> f32 {
  return x[i];
}
