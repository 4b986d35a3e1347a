#!/usr/bin/env bash
# Runs a command with Chromium's SwiftShader Vulkan driver as the only Vulkan device, so that Dawn's
# Node binding (the `webgpu` package) finds an adapter on a machine without a GPU. Debian's
# chromium ships the Vulkan loader and the driver beside its binary; the loader's library path is
# read when a process starts, hence a wrapper and not a setting inside the tests.
set -euo pipefail
dir=${CHROMIUM_LIB_DIR:-/usr/lib/chromium}
if [ ! -f "$dir/vk_swiftshader_icd.json" ] || [ ! -f "$dir/libvulkan.so.1" ]; then
  echo "with-swiftshader-vulkan: no libvulkan.so.1 and vk_swiftshader_icd.json in $dir (set CHROMIUM_LIB_DIR to Chromium's library folder)" >&2
  exit 1
fi
export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export VK_ICD_FILENAMES="$dir/vk_swiftshader_icd.json"
exec "$@"
