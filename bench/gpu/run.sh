#!/usr/bin/env bash
# The one-call GPU benchmark, for a machine with an NVIDIA GPU and no Node or browser (the
# device tool): unpacks the base bundle (scripts/gpu-bundle.mjs: Node, Dawn, a Vulkan loader,
# SwiftShader), runs bench/gpu/node-bench.ts (built by bench/gpu/bundle.mjs into .gpu-bench/)
# on the GPU through Dawn — the README's step and the grouped sweep, each checked — and the
# PyTorch CUDA peer (bench/gpu/torch_peer.py, the image's python3), checked against ours.
#   build here:  node bench/gpu/bundle.mjs
#   device:      run(command="bash bench/gpu/run.sh", carry=[".gpu-bundle", ".gpu-bench"], timeout_s=600)
#   here:        bash bench/gpu/run.sh --swiftshader --no-cuda     (the same, on SwiftShader)
# Flags go to node-bench: --swiftshader, --no-cuda (skip the PyTorch peer), --quick,
# --torch-device cpu. Results: $OUT/gpu-bench.{md,json,log} (OUT defaults to .gpu-bench/out).
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$here/.gpu-bench/out}
[ -f "$here/.gpu-bench/node-bench.mjs" ] || { echo "[gpu-bench] no .gpu-bench/node-bench.mjs: run node bench/gpu/bundle.mjs first"; exit 2; }
B=$(mktemp -d)
trap 'rm -rf "$B"' EXIT
tar -xJf "$here/.gpu-bundle/bundle.tar.xz" -C "$B" || { echo "[gpu-bench] no base bundle: run node bench/gpu/bundle.mjs first"; exit 2; }
mkdir -p "$B/app/bench-gpu" "$OUT"
cp "$here/.gpu-bench/node-bench.mjs" "$here/bench/gpu/torch_peer.py" "$B/app/bench-gpu/"
echo "[gpu-bench] base bundle $(cat "$B/VERSION"); node-bench from $(cd "$here" && git rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree)"
# The Vulkan loader: the image's when it has one, else Chromium's copy from the bundle.
if ! { ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; }; then export LD_LIBRARY_PATH="$B/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
for a in "$@"; do [ "$a" = --swiftshader ] && export SOBOLEV_WEBGPU_SWIFTSHADER_ICD="$B/swiftshader/vk_swiftshader_icd.json"; done
(nvidia-smi -L 2>&1 || echo "no nvidia-smi") | tee "$OUT/gpu.txt"
"$B/bin/node" "$B/app/bench-gpu/node-bench.mjs" --out "$OUT" --icd-setup "$B/app/scripts/reproduce-node.mjs" "$@" 2>&1 | tee "$OUT/gpu-bench.log"
rc=${PIPESTATUS[0]}
rm -f "$OUT/torch-problem.json"
echo "[gpu-bench] exit $rc; files: $(cd "$OUT" && ls | tr '\n' ' ')"
exit "$rc"
