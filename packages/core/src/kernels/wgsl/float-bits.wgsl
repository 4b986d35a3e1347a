// Shared WGSL: IEEE-754 tests decided on bit patterns, never by float arithmetic on infinities
// (which SwiftShader and GPU drivers need not agree on). Prepended to the kernels that use it.

// A WGSL constant expression must not be NaN or inf; a bitcast of a private variable may.
var<private> nanBits: u32 = 0x7fc00000u;

fn isNegInf(v: f32) -> bool {
  return bitcast<u32>(v) == 0xff800000u;
}

fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}
