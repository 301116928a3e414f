#!/usr/bin/env bash
# On the GPU machine (after tools/device_prepare.sh ran here and .whl, .gl were carried): the whole training pipeline
# from nothing (render, latent cache, the six small variants side by side), timed, with the VAE-by-frame-position table.
# Usage: bash tools/gpu_train_all.sh OUT_DIR [MAX_STEPS] [MAX_TIME]; results and run logs land in OUT_DIR.
set -uo pipefail
out=${1:?OUT_DIR}; steps=${2:-2000}; limit=${3:-00:00:05:00}
source tools/device_env.sh
export PYTHONPATH=/tmp/site:$PWD
t0=$(date +%s)
python -c "import sys; from memory_video.cli import main; sys.exit(main(sys.argv[1:]))" render --config small --out data/worlds --quiet --results "$out"
t1=$(date +%s)
python - "$out" <<'PY'
import json, sys, torch
from memory_video.bench import provenance, save_result
from memory_video.datasets import open_dataset
from memory_video.training import vae_by_position
from memory_video.vae import load_small_vae
res = vae_by_position(load_small_vae(), list(open_dataset('data/worlds/small', split='val')), device='cuda')
save_result(f'{sys.argv[1]}/vae_by_position.json', dict(videos='small val (4 videos)', psnr_by_position=res),
            provenance('cuda', 'vae_by_position(load_small_vae(), small val videos)'))
PY
t2=$(date +%s)
python -c "from memory_video.training import train_all; train_all('small', max_steps=$steps, max_time='$limit')"
t3=$(date +%s)
echo "render $((t1 - t0)) s, vae table $((t2 - t1)) s, cache + training $((t3 - t2)) s, total $((t3 - t0)) s" | tee "$out/timing.txt"

tar czf "$out/runs.tgz" runs/*/metrics.csv runs/*/summary.json runs/*/train.log runs/*/config.yaml 2>/dev/null
ls -la "$out"
