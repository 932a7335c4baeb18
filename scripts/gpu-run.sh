#!/usr/bin/env bash
# One call on a GPU machine without Node or a browser (the device tool), from the bundle that
# scripts/gpu-bundle.mjs packs into .gpu-bundle/bundle.tar.xz (Node, the built library, Dawn,
# a Vulkan loader, SwiftShader): runs `--preset paper` in Node on Dawn, then the step
# benchmark (scripts/step-bench.mjs); everything lands in $OUT.
#   device: run(command="bash scripts/gpu-run.sh", carry=[".gpu-bundle"], timeout_s=600)
#   here:   MODE=swiftshader PRESET=tiny bash scripts/gpu-run.sh    (the same without a GPU)
# The paper preset is thousands of networks: a call stops it after BUDGET_S seconds. Finished
# groups come back as $OUT/groups.tar.gz; copy that file to .gpu-bundle/groups.tar.gz and call
# again to continue where it stopped (a rerun skips every stored network).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$here/.gpu-bundle/out}
PRESET=${PRESET:-paper}
MODE=${MODE:-gpu}
BUDGET_S=${BUDGET_S:-450}
B=$(mktemp -d)
tar -xJf "$here/.gpu-bundle/bundle.tar.xz" -C "$B" || { echo "[gpu-run] no bundle: run node scripts/gpu-bundle.mjs first"; exit 2; }
echo "[gpu-run] bundle $(cat "$B/VERSION"); preset $PRESET; mode $MODE; budget ${BUDGET_S}s"
mkdir -p "$OUT/reports"
[ -f "$here/.gpu-bundle/groups.tar.gz" ] && tar -xzf "$here/.gpu-bundle/groups.tar.gz" -C "$OUT/reports" && echo "[gpu-run] resuming from $(ls "$OUT/reports/groups" | wc -l) stored groups"
# The Vulkan loader: the image's when it has one, else Chromium's copy from the bundle.
if ! { ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; }; then export LD_LIBRARY_PATH="$B/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
export SOBOLEV_DIST="$B/app/dist"
flags=()
bench=(--epochs 60)
if [ "$MODE" = swiftshader ]; then
  export SOBOLEV_WEBGPU_SWIFTSHADER_ICD="$B/swiftshader/vk_swiftshader_icd.json"
  flags+=(--swiftshader)
  bench=(--epochs 6)
fi
(nvidia-smi -L 2>&1 || echo "no nvidia-smi") | tee "$OUT/gpu.txt"
"$B/bin/node" "$B/app/scripts/reproduce.mjs" --runtime node --no-build --preset "$PRESET" --out "$OUT/reports" \
  --timeout-min "$(awk "BEGIN { print $BUDGET_S / 60 }")" "${flags[@]}" > "$OUT/reproduce.log" 2>&1
rc=$?
tail -n 60 "$OUT/reproduce.log"
timeout 120 "$B/bin/node" "$B/app/scripts/step-bench.mjs" "${flags[@]}" "${bench[@]}" > "$OUT/bench.log" 2>&1
tail -n 3 "$OUT/bench.log"
# At most 8 files come back: the groups travel as one archive.
tar -czf "$OUT/groups.tar.gz" -C "$OUT/reports" groups && rm -rf "$OUT/reports/groups"
rm -rf "$B"
echo "[gpu-run] reproduce exit $rc; files: $(cd "$OUT" && find . -type f | tr '\n' ' ')"
exit $rc
