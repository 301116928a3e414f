#!/usr/bin/env bash
# On the GPU machine (after tools/device_prepare.sh ran here and .whl, .gl were carried): the six variants of SIZE from
# nothing, in chunks that each fit one device call (10 min) and resume on the still-warm machine:
#   bash tools/gpu_train_all.sh OUT SIZE SECONDS STEPS [models]
# renders `small` and caches latents and contexts when missing, then trains every variant side by side until STEPS or
# until SECONDS of wall time have passed since this script started (minus a margin for start-up and the final
# checkpoint). Lightning's `max_time` counts training time over all chunks of a run, so the cumulative budget is kept
# in runs/time_budget_s. Timings go to runs/timing.txt; logs, summaries and timings to OUT/runs.tgz, written even when a
# chunk stops early; with `models`, each run's exported EMA weights are copied to OUT/SIZE_<variant>.safetensors.
set -uo pipefail
out=${1:?OUT}; size=${2:?SIZE}; seconds=${3:?SECONDS}; steps=${4:?STEPS}; models=${5:-}
t0=$(date +%s)
source tools/device_env.sh
export PYTHONPATH=/tmp/site:$PWD
mkdir -p runs
cli() { python -c "import sys; from memory_video.cli import main; sys.exit(main(sys.argv[1:]))" "$@"; }
if [ ! -f data/worlds/small/dataset.json ]; then
  cli render --config small --out data/worlds --quiet --results runs
  echo "render $(( $(date +%s) - t0 )) s" | tee -a runs/timing.txt
fi
t1=$(date +%s)
python -c "from memory_video.training import train_all; train_all('$size', prepare_only=True)"
echo "latents and contexts $(( $(date +%s) - t1 )) s" | tee -a runs/timing.txt
# training time this chunk: what is left of SECONDS after preparing, less 75 s for start-up, the last checkpoint
# and export
left=$(( seconds - ($(date +%s) - t0) - 75 ))
budget=$(( $(cat runs/time_budget_s 2>/dev/null || echo 0) + left ))
echo "$budget" > runs/time_budget_s
limit=$(printf '00:%02d:%02d:%02d' $((budget / 3600)) $((budget % 3600 / 60)) $((budget % 60)))
t2=$(date +%s)
# a hard stop 60 s after the budget, so that the logs below always come back
timeout $((left + 60)) python -c "from memory_video.training import train_all
train_all('$size', max_steps=$steps, max_time='$limit', extra=['--checkpoint.every_n_train_steps', '100'])"
pkill -f 'memory_video.cli import main' && sleep 3
echo "training chunk $(( $(date +%s) - t2 )) s (max_steps $steps, cumulative max_time $limit)" | tee -a runs/timing.txt
nvidia-smi --query-gpu=name,memory.used,utilization.gpu --format=csv >> runs/timing.txt
tar czf "$out/runs.tgz" runs/timing.txt runs/*.json runs/*/logs runs/*/summary.json runs/*/train.log \
  runs/*/config.yaml 2>/dev/null
if [ -n "$models" ]; then
  for f in runs/"$size"_*/model.safetensors; do cp "$f" "$out/$(basename "$(dirname "$f")").safetensors"; done
fi
ls -la "$out"
