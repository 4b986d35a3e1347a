// Shared WGSL, included in every kernel: the linear workgroup and invocation index of a dispatch
// that the kernel runner folded into (x, y) to stay under the per-dimension workgroup limit.
// Entry points take `inv: Workgroup` and `@builtin(local_invocation_index) lid: u32`, and
// bound-check the index they derive. `lid` stays outside the struct: uniformity analysis would
// otherwise treat the workgroup id as non-uniform and reject barriers after the bound check.
struct Workgroup {
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
};

fn workgroupIndex(inv: Workgroup) -> u32 {
  return inv.wid.y * inv.nwg.x + inv.wid.x;
}

fn invocationIndex(inv: Workgroup, lid: u32) -> u32 {
  return workgroupIndex(inv) * WG + lid;
}
