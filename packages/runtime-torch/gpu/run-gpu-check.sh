#!/usr/bin/env bash
# Runs ON the GPU machine (prepared by gpu/prepare.sh; see there for the device call). Steps, each with a timeout:
#   1. build the addon with g++ against the machine's pip torch (CUDA), flags from that Python;
#   2. the check bundle: differential cases on CUDA vs the cpu backend, memory and host↔device traffic over training
#      steps, the transformer training step timed for presets small/medium/large;
#   3. the same steps in PyTorch (the baseline), before and after step 2;
#   4. recaStep of every adapter preset on the device, beside the PyTorch twins (bench/reca-step.bench.ts), each
#      torch row with a kernel profile, the twins run before and again after the tfjs rows (drift shows as two ratios);
#   5. a short table, printed last.
# Steps 2 and 4 also run with asynchronous execution (kernels queued for the addon's execution thread): the
# differential cases twice (learning the output shapes, then queued), each LM preset, and the recaStep rows.
# RECA_GPU_CHECK_RECA_STEP=0 skips step 4. Full logs and JSON under $OUT, packed into $OUT/logs.tar.gz beside $OUT/summary.txt. RECA_GPU_CHECK_DEVICE=cpu (and RECA_GPU_CHECK_PRESETS=tiny) rehearse it on a CPU machine.
set -euo pipefail
package="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$package/.gpu/out}"
mkdir -p "$OUT"
cd "$package"
device="${RECA_GPU_CHECK_DEVICE:-cuda}"
presets="${RECA_GPU_CHECK_PRESETS:-small,medium,large}"
status_file="$OUT/status.txt"
: > "$status_file"
# The device tool brings back at most 8 files: on any exit, everything but the summary goes into one archive.
pack_logs() {
  (cd "$OUT" && find . -maxdepth 1 -type f ! -name summary.txt ! -name logs.tar.gz -printf '%P\n' | tar -czf logs.tar.gz -T - --remove-files) || true
}
trap pack_logs EXIT

# Runs "$@" with a timeout, logging to $OUT/<name>.log; records the exit status instead of stopping the script.
step() {
  local name="$1" seconds="$2"
  shift 2
  local started=$SECONDS code=0
  timeout --kill-after=10 "$seconds" "$@" > "$OUT/$name.log" 2>&1 || code=$?
  echo "$name $code $((SECONDS - started))s" >> "$status_file"
  echo "== $name: exit $code in $((SECONDS - started)) s"
  return 0
}

if [ ! -f .gpu/node.xz ] || [ ! -f .gpu/gpu-check.mjs ]; then
  echo "missing .gpu/ (run packages/runtime-torch/gpu/prepare.sh first and carry packages/runtime-torch/.gpu)" >&2
  exit 2
fi
xz -dc .gpu/node.xz > .gpu/node
chmod +x .gpu/node
export PATH="$package/.gpu:$PATH"

{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true; } > "$OUT/nvidia-smi.txt" 2>&1
step torch-info 60 "${RECA_TORCH_PYTHON:-python3}" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-")'

export RECA_NODE_HEADERS="$package/.gpu/include/node"
export RECA_NODE_ADDON_API_DIR="$package/.gpu/include/napi"
export RECA_TORCH_PYTHON="${RECA_TORCH_PYTHON:-python3}"
rm -f build/Release/reca_torch.node
step build 300 node scripts/install.js --direct --force
cp build/reca-torch-build.log build/reca-torch-build.json "$OUT/" 2>/dev/null || true

# PyTorch's LM step before and after ours (pytorch-before-<preset>, pytorch-<preset>): a machine whose speed drifts
# during the check shows as two different ratios.
for preset in ${presets//,/ }; do
  step "pytorch-before-$preset" 120 "${RECA_TORCH_PYTHON}" bench/pytorch-train-step.py --preset "$preset" --steps 30 --warmup 30 --device "$device"
done

if [ -f build/Release/reca_torch.node ]; then
  export RECA_TORCH_ADDON="$package/build/Release/reca_torch.node"
  step gpu-check 300 node .gpu/gpu-check.mjs "$OUT" --device "$device" --presets "$presets" --steps 30
else
  echo "gpu-check skipped: the addon did not build (see $OUT/build.log)" | tee -a "$status_file"
fi

step pytorch-op-overhead 60 "${RECA_TORCH_PYTHON}" gpu/pytorch-op-overhead.py --device "$device"
for preset in ${presets//,/ }; do
  step "pytorch-$preset" 120 "${RECA_TORCH_PYTHON}" bench/pytorch-train-step.py --preset "$preset" --steps 30 --warmup 30 --device "$device"
done

# recaStep of every adapter preset on CUDA, beside the PyTorch twins on the same card.
if [ "${RECA_GPU_CHECK_RECA_STEP:-1}" != 0 ] && [ -f build/Release/reca_torch.node ] && [ -f .gpu/reca-step.mjs ]; then
  export RECA_BENCH_SCRIPTS="$package/bench"
  step reca-step 300 node .gpu/reca-step.mjs --backends torch --device "$device" --presets "${RECA_GPU_CHECK_RECA_PRESETS:-tiny,small}" \
    --pytorch-again --profile --json "$OUT/reca-step.json"
  # The same rows with asynchronous execution (CUDA's default is synchronous until measured): compare with the above.
  step reca-step-asynchronous 240 env RECA_TORCH_EXECUTION=asynchronous node .gpu/reca-step.mjs --backends torch --device "$device" \
    --presets "${RECA_GPU_CHECK_RECA_PRESETS:-tiny,small}" --no-pytorch --json "$OUT/reca-step-asynchronous.json"
fi

node gpu/summarize-gpu-check.mjs "$OUT" | tee "$OUT/summary.txt" || echo "summary failed (logs are in logs.tar.gz)"
