#!/usr/bin/env bash
# On the GPU machine (after tools/device_prepare.sh ran here and .whl, .gl were carried): the training pipeline from
# nothing, in phases that each fit one device call (10 min) and resume: a killed phase is simply run again.
#   bash tools/gpu_train_all.sh OUT prepare              render `small`, the VAE-by-position table, latents, contexts
#   bash tools/gpu_train_all.sh OUT train STEPS MAXTIME  the six variants side by side until STEPS or MAXTIME (DD:HH:MM:SS)
# Timings go to OUT/timing.txt; run logs and metrics to OUT/runs.tgz, written even when a limit stops the phase.
set -uo pipefail
out=${1:?OUT_DIR}; phase=${2:?prepare or train}
source tools/device_env.sh
export PYTHONPATH=/tmp/site:$PWD
t0=$(date +%s)
if [ "$phase" = prepare ]; then
  python -c "import sys; from memory_video.cli import main; sys.exit(main(sys.argv[1:]))" \
    render --config small --out data/worlds --quiet --results "$out"
  t1=$(date +%s)
  python - "$out" <<'PY'
import sys
from memory_video.bench import provenance, save_result
from memory_video.datasets import open_dataset
from memory_video.training import vae_by_position
from memory_video.vae import load_small_vae
res = vae_by_position(load_small_vae(), list(open_dataset('data/worlds/small', split='val')), device='cuda')
save_result(f'{sys.argv[1]}/vae_by_position.json', dict(videos='small val (4 videos)', psnr_by_position=res),
            provenance('cuda', 'vae_by_position(load_small_vae(), small val videos)'))
PY
  t2=$(date +%s)
  python -c "from memory_video.training import train_all; train_all('small', prepare_only=True)"
  t3=$(date +%s)
  echo "render $((t1 - t0)) s, vae table $((t2 - t1)) s, latents and contexts $((t3 - t2)) s" | tee -a "$out/timing.txt"
else
  steps=${3:?STEPS}; limit=${4:?MAXTIME}
  python -c "from memory_video.training import train_all; train_all('small', max_steps=$steps, max_time='$limit')"
  echo "training chunk $(( $(date +%s) - t0 )) s (max_steps $steps, max_time $limit)" | tee -a "$out/timing.txt"
fi
tar czf "$out/runs.tgz" runs/*/logs runs/*/summary.json runs/*/train.log runs/*/config.yaml 2>/dev/null
ls -la "$out"
