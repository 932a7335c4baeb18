#!/usr/bin/env bash
# bench/defaults/eval.ts on a machine with an NVIDIA GPU and no Node (the base bundle of
# scripts/gpu-bundle.mjs brings Node, Dawn and a Vulkan loader):
#   build here:  node scripts/gpu-bundle.mjs && node bench/defaults/run.mjs --bundle-only .gpu-bench
#   run there:   bash bench/defaults/gpu.sh [--preset quick] [--swiftshader]   (results in $OUT, default .gpu-bench/out)
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$here/.gpu-bench/out}
B=$(mktemp -d)
trap 'rm -rf "$B"' EXIT
tar -xJf "$here/.gpu-bundle/bundle.tar.xz" -C "$B" || { echo "[defaults] no base bundle: node scripts/gpu-bundle.mjs first"; exit 2; }
mkdir -p "$B/app/bench-defaults" "$OUT"
cp "$here/.gpu-bench/defaults-eval.mjs" "$B/app/bench-defaults/" || { echo "[defaults] node bench/defaults/run.mjs --bundle-only .gpu-bench first"; exit 2; }
if ! { ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; }; then export LD_LIBRARY_PATH="$B/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
nvidia=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
args=()
for a in "$@"; do
  if [ "$a" = --swiftshader ]; then export VK_DRIVER_FILES="$B/swiftshader/vk_swiftshader_icd.json"; else args+=("$a"); fi
done
[ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia" ] && export VK_DRIVER_FILES="$nvidia"
"$B/bin/node" "$B/app/bench-defaults/defaults-eval.mjs" --out "$OUT" "${args[@]}" 2>&1 | grep --line-buffered -v '^Warning: vkCreateInstance\|CheckVkSuccessImpl' | tee "$OUT/defaults.log"
exit "${PIPESTATUS[0]}"
