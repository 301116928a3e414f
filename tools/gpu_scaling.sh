#!/usr/bin/env bash
# On the GPU machine (after tools/device_prepare.sh ran here and .whl, .gl were carried): training throughput and the
# loss trajectory on the GPUs of this machine, for the scaling curve (issue 16) and the DDP check (issue 12):
#   bash tools/gpu_scaling.sh OUT RUNS
# RUNS is a space-separated list of NAME:CONFIG:STRATEGY:DEVICES:BATCH:STEPS[:EXTRA], each one `memory_video train` in
# its own folder runs/scaling/NAME, EXTRA being more options joined by commas (`--model.compile=true`); a run whose folder holds a checkpoint resumes from it (that is how a checkpoint written
# on N GPUs is resumed on M). The data is a compact render, `scaling` (8 videos of 2,000 frames at 64x64, 2 of them held out:
# throughput does not depend on what the frames show), rendered and cached when missing. Logs, summaries and timings go to
# OUT/scaling.tgz; tools/collect_scaling.py files them under data/results/scaling.json. On nvidia-h200-x2, for example:
#   "g1:small_cam:ddp:1:256:600 g2:small_cam:ddp:2:128:600 s2:small_cam:ddp:2:256:300 f2:base_cam:fsdp:2:64:150
#    g2:small_cam:ddp:1:256:700"
# the same global batch on one GPU and two (the loss trajectories compare), the two-GPU scaling point at the one-GPU
# per-GPU batch, FSDP on two, and run g2 (written on 2 GPUs) resumed on 1 for 100 more steps.
set -uo pipefail
out=${1:?OUT}; runs=${2:?RUNS}
t0=$(date +%s)
source tools/device_env.sh
export PYTHONPATH=/tmp/site:$PWD
mkdir -p runs/scaling
if [ ! -f data/cache/scaling/.prepared ]; then
  # a file with a __main__ guard: the renderer's process pool imports the parent's main module
  cat > /tmp/scaling_data.py <<'EOF'
from memory_video.datasets import RenderConfig, render_dataset
from memory_video.training import WorldDataModule
if __name__ == '__main__':
  cfg = RenderConfig('scaling', n_videos=8, n_frames=2000, width=64, height=64, chunk=256, covis_stride=5, val_every=4)
  folder = render_dataset(cfg, 'data/worlds', progress=False)
  WorldDataModule(str(folder), 'data/cache/scaling', variant='cam', size='small').prepare_data()
EOF
  python /tmp/scaling_data.py && touch data/cache/scaling/.prepared
  echo "render and cache $(( $(date +%s) - t0 )) s" | tee -a runs/scaling/timing.txt
fi
for run in $runs; do
  IFS=: read -r name config strategy devices batch steps extra <<< "$run"
  t1=$(date +%s)
  # python -m memory_video: Lightning's DDP launcher starts the other ranks with the same command
  python -m memory_video train --config "$config" --data.data data/worlds/scaling --data.cache data/cache/scaling \
    --data.batch_size "$batch" --trainer.devices "$devices" --trainer.strategy "$strategy" \
    --trainer.max_steps "$steps" --trainer.val_check_interval 100 --trainer.log_every_n_steps 10 \
    --trainer.enable_progress_bar false --checkpoint.every_n_train_steps 100000 \
    --trainer.default_root_dir "runs/scaling/$name" ${extra//,/ } > "runs/scaling/$name.log" 2>&1
  rc=$?
  echo "$name $config${extra:+${extra//,/}} $strategy devices=$devices batch=$batch steps=$steps rc=$rc $(( $(date +%s) - t1 )) s" \
    | tee -a runs/scaling/timing.txt
  tail -n 3 "runs/scaling/$name.log"
done
nvidia-smi --query-gpu=name,memory.used --format=csv >> runs/scaling/timing.txt
tar czf "$out/scaling.tgz" runs/scaling/timing.txt runs/scaling/*.log runs/scaling/*/logs runs/scaling/*/summary.json \
  runs/scaling/*/config.yaml 2>/dev/null
ls -la "$out"
