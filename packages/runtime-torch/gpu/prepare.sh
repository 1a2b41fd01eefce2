#!/usr/bin/env bash
# Run HERE (not on the GPU machine): fills packages/runtime-torch/.gpu/ (ignored by git) with what the GPU machine
# lacks — a Node binary, the Node-API and node-addon-api headers, and the check bundled into one file.
# Then the lead runs, with the device tool:
#   command: bash packages/runtime-torch/gpu/run-gpu-check.sh
#   carry:   ["packages/runtime-torch/.gpu"]
#   timeout_s: 540 (on an H200 on 2026-11-26 the check took 187–206 s plus ~30 s to start the machine, before PyTorch
#              ran twice and the asynchronous passes were added; expect ~350–400 s now, not yet run so; with
#              RECA_GPU_CHECK_RECA_STEP=0 it skips the recaStep benches, ~100 s in all)
set -euo pipefail
package="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gpu="$package/.gpu"
cd "$package"

rm -rf "$gpu"
mkdir -p "$gpu/include/node" "$gpu/include/napi"
# .gpu/ is in the repository's .gitignore; keep it out of git even if that changes.
exclude="$(git rev-parse --git-path info/exclude 2>/dev/null || true)"
if [ -n "$exclude" ] && ! grep -qx 'packages/runtime-torch/.gpu/' "$exclude" 2>/dev/null; then
  mkdir -p "$(dirname "$exclude")" && echo 'packages/runtime-torch/.gpu/' >> "$exclude"
fi

echo "node: $(node --version) → .gpu/node.xz"
xz -T2 -c "$(command -v node)" > "$gpu/node.xz"

for header in node_api.h node_api_types.h js_native_api.h js_native_api_types.h; do
  cp "/usr/include/node/$header" "$gpu/include/node/"
done
napi_dir="$(node -p "require('path').dirname(require.resolve('node-addon-api/napi.h'))")"
cp "$napi_dir"/napi.h "$napi_dir"/napi-inl.h "$napi_dir"/napi-inl.deprecated.h "$gpu/include/napi/"

esbuild="$(node -p "require('path').join(require('path').dirname(require.resolve('esbuild/package.json', { paths: [require.resolve('tsup')] })), 'bin', 'esbuild')")"
"$esbuild" gpu/gpu-check.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$gpu/gpu-check.mjs" \
  --external:@tensorflow/tfjs-backend-wasm --external:@tensorflow/tfjs-backend-webgpu --external:webgpu \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as __recaCreateRequire } from 'node:module'; const require = __recaCreateRequire(import.meta.url);"

# The recaStep bench of every adapter (with the PyTorch twins, found through RECA_BENCH_SCRIPTS on the device).
"$esbuild" bench/reca-step.bench.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$gpu/reca-step.mjs" \
  --external:@tensorflow/tfjs-backend-wasm --external:@tensorflow/tfjs-backend-webgpu --external:webgpu \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu --external:sharp --external:onnxruntime-node \
  --banner:js="import { createRequire as __recaCreateRequire } from 'node:module'; const require = __recaCreateRequire(import.meta.url);"

# Smoke-test the bundle here on the CPU build (tiny preset, few steps) when the addon is built.
if [ -f build/Release/reca_torch.node ]; then
  smoke="$(mktemp -d)"
  RECA_TORCH_ADDON="$package/build/Release/reca_torch.node" timeout 300 node "$gpu/gpu-check.mjs" "$smoke" \
    --device cpu --presets tiny --steps 3 > "$smoke/log.txt" 2>&1 || { cat "$smoke/log.txt"; echo "bundle smoke test failed"; exit 1; }
  grep -E '^(torch backend|differential|memory|tfjs torch)' "$smoke/log.txt"
  RECA_TORCH_ADDON="$package/build/Release/reca_torch.node" timeout 300 node "$gpu/reca-step.mjs" --families diffusion \
    --backends torch --device cpu --steps 1 --warmup 1 --no-pytorch > "$smoke/reca-step.txt" 2>&1 || { cat "$smoke/reca-step.txt"; echo "recaStep bundle smoke test failed"; exit 1; }
  grep -E '^diffusion tiny torch' "$smoke/reca-step.txt"
  rm -rf "$smoke"
fi
du -sh "$gpu"
