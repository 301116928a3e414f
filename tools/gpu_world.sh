#!/usr/bin/env bash
# On the GPU machine (after tools/device_prepare.sh ran here; carry .whl .gl, and .metrics for eval; the FID/FVD weights
# ride along one part a call, `.mparts/pK` from tools/metrics_parts.py split, on any call with room): the world-model recipes of
# issue 23 side by side on one GPU, in phases that each fit one device call and keep the machine warm between them.
#   bash tools/gpu_world.sh OUT prepare SECONDS  profile a training step (tools/profile_train.py), render `small`, cache
#                                                 latents and contexts, start every run (setsid, compiled if that was
#                                                 faster), then watch them for what is left of SECONDS
#   bash tools/gpu_world.sh OUT vae              (carry .metrics alone: the LPIPS weights) start the decoder-only
#                                                 fine-tune of the shipped VAE with LPIPS in the loss (01a), beside
#                                                 the runs; its latents are the shipped VAE's, so every run uses it;
#                                                 beside it the same with a patch critic (GAN_WEIGHT, default 0.5; 0:
#                                                 not run); `wait` and `eval` take the one whose held-out sharpness
#                                                 ratio is nearest 1
#   bash tools/gpu_world.sh OUT wait SECONDS     watch the runs until they end or SECONDS pass; copy finished models
#   bash tools/gpu_world.sh OUT setup N          install, render N held-out scenes (the tree with .whl .gl and .metrics
#                                                 is over 64 MiB: carry .whl .gl here, then .metrics alone)
#   bash tools/gpu_world.sh OUT rollouts [ARGS]  rollouts alone (gpu_rollouts.py), no runs waited for
#   bash tools/gpu_world.sh OUT tables [ARGS]    issue 25: `memory_video eval --table $TABLE` (default 1) on 32 held-out
#                                                 scenes x 2 seeds with the runs' models (<variant>_full; cam from
#                                                 $CAM_RUN), FID/FVD if the weights are whole (else add --no-fid);
#                                                 resumable across calls (partial results kept under runs/tables)
#   bash tools/gpu_world.sh OUT eval [ARGS]      wait for the runs (at most 240 s), rollouts of every finished model
#                                                 in three processes (gpu_rollouts.py --part, $GROUPS_: "a|b;c|d"),
#                                                 none started past EVAL_SECONDS - EVAL_MARGIN (150); then copy the
#                                                 best run on the returns, cam_full and first_full (or $KEEP)
# Every phase also writes what it prints to OUT/<phase>.log (eval packs the others into results.tgz).
# PROFILE=0 skips the profile in `prepare` (compiled, as measured before); VAE_SLEEP (60): seconds `vae` waits to
# show the fine-tune's first lines; EVAL_WAIT (240): seconds `eval` waits for the runs.
# RUNS below: name, variant, extra training options; each at batch 256 (the `mini` config) for MAX_STEPS or MAX_TIME.
set -uo pipefail
out=${1:?OUT}; phase=${2:?phase}; seconds=${3:-540}
# the phase's own options (after OUT PHASE), kept apart: no loop below may overwrite them
args=("$@")
# all a phase prints also goes to OUT/<phase>.log: a call cut off at its time limit still brings that back
mkdir -p "$out"
exec > >(tee -a "$out/$phase.log") 2>&1
t0=$(date +%s)
if [ -f /tmp/site/.installed ]; then
  # a later call on the same warm machine: the wheels and GL libraries are in place (and .whl/.gl may not travel)
  export LD_LIBRARY_PATH=/tmp/gl-side/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  export FONTCONFIG_PATH=/tmp/gl-side/etc/fonts
else
  source tools/device_env.sh && touch /tmp/site/.installed
fi
export PYTHONPATH=/tmp/site:$PWD MEMORY_VIDEO_METRICS=/tmp/metrics PYTHONUNBUFFERED=1
# the metric weights, kept on the warm machine outside the checkout: LPIPS when .metrics is carried; the FID/FVD weights
# in parts, one carried a call (`.mparts/pK`, tools/metrics_parts.py), joined and checked once every part is there
mkdir -p /tmp/metrics
[ -f .metrics/lpips_alex.safetensors ] && cp .metrics/lpips_alex.safetensors /tmp/metrics/
[ -d .mparts ] && python tools/metrics_parts.py take .mparts /tmp/metrics_parts
[ -d /tmp/metrics_parts ] && python tools/metrics_parts.py join /tmp/metrics_parts /tmp/metrics
mkdir -p runs
recipe_full='--model.hold_first true --model.context_noise 0.3 --model.context_level 0.1'
recipe_noise='--model.context_noise 0.3 --model.context_level 0.1'
# name, variant, extra training options: the levers on cam (none, noise alone, noise + held first frame, twice the
# noise: the memory-of-the-truth rollouts of 05d put the whole loss on the model's own frames coming back), the other
# five variants with the full recipe, and cam with guidance on its memory (DFoT's history guidance), all side by side
# on one GPU for the same wall time
RUNS=(
  "cam_base cam"
  "cam_noise cam $recipe_noise"
  "cam_full cam $recipe_full"
  "cam_strong cam --model.hold_first true --model.context_noise 0.6 --model.context_level 0.2"
  "first_full first $recipe_full"
  "random_full random $recipe_full"
  "dfot_full dfot $recipe_full"
  "framepack_full framepack $recipe_full"
  "memlearner_full memlearner $recipe_full"
  "cam_guided cam $recipe_full --model.context_drop 0.1 --model.context_scale 1.5"
)
# ONLY="name ...": just those runs (a shorter device budget)
if [ -n "${ONLY:-}" ]; then
  kept=(); for r in "${RUNS[@]}"; do read -r name _ <<< "$r"; [[ " $ONLY " == *" $name "* ]] && kept+=("$r"); done
  RUNS=("${kept[@]}")
fi
MAX_TIME=${MAX_TIME:-00:00:08:00}
MAX_STEPS=${MAX_STEPS:-6000}
status() {  # the last logged step, steps/s and validation loss of every run
  for r in "${RUNS[@]}"; do
    read -r name _ <<< "$r"
    python - "$name" <<'PY'
import sys
from memory_video.training import read_metrics
rows = read_metrics(f'runs/{sys.argv[1]}')
last = lambda k: next((r[k] for r in reversed(rows) if k in r), float('nan'))
print(f"{sys.argv[1]:<16} step {last('train/step'):>6.0f}  {last('perf/steps_per_s'):6.2f} steps/s  "
      f"mfu {last('perf/mfu'):.3f}  val {last('val/loss'):.4f}", flush=True)
PY
  done
}
watch() {  # until every run has exported its model and train-vae has ended, or `$1` seconds into the phase
  local limit=$1 name
  while [ $(( $(date +%s) - t0 )) -lt "$limit" ]; do
    left=0
    for r in "${RUNS[@]}"; do read -r name _ <<< "$r"; [ -f "runs/$name/model.safetensors" ] || left=$((left + 1)); done
    # and the decoder fine-tune, if `vae` started it
    pgrep -f 'memory_video train-vae' > /dev/null && left=$((left + 1))
    [ "$left" -eq 0 ] && break
    sleep 20
  done
  status
  nvidia-smi --query-gpu=name,memory.used,utilization.gpu --format=csv,noheader
}
pick_decoder() {  # $sharp: the finished fine-tuned decoder whose held-out sharpness ratio is nearest 1
  sharp=$(python - <<'PY'
import json
from pathlib import Path
done = {p.parent: json.loads(p.read_text())['results']['heldout'] for p in Path('runs').glob('vae_*/vae_small.json')}
done = {d: h for d, h in done.items() if (d / 'vae_small_sharp.safetensors').exists()}
for d, h in done.items():
    print(f"{d.name}: held-out PSNR {h['psnr']:.2f} dB, sharpness {h['sharpness']:.2f}", file=__import__('sys').stderr)
print(min(done, key=lambda d: abs(1 - done[d]['sharpness'])) / 'vae_small_sharp.safetensors' if done else '')
PY
)
  echo "decoder: ${sharp:-the shipped one}"
}
pack_runs() {  # the runs' logs, summaries and configs (and the decoder's held-out numbers) as OUT/runs.tgz
  tar czf "$out/runs.tgz" runs/timing.txt runs/*/logs runs/*/summary.json runs/*/train.log runs/*/config.yaml \
    runs/vae_*/*.json runs/vae_*/train.log runs/*.log 2>/dev/null
}
case $phase in
prepare)
  if [ "${PROFILE:-1}" = 0 ]; then
    # measured before (data/results/train_speed_h100.json): compiled steps 2.5-3x faster for every variant
    mode=true
  else
    # first, on an idle GPU: where a training step spends its time (eager, the profiler, torch.compile)
    python tools/profile_train.py "$out" --parts eager,profile,compile --steps 40 2>&1 | grep -v Warning | tail -30
    mode=$(python - "$out/profile_train.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
eager = next((x['step_ms'] for x in r.get('eager', []) if x['variant'] == 'cam'), None)
comp = {x['variant']: x['step_ms'] for x in r.get('compile', [])}
# compile the training runs only if every compiled variant built and cam's step got faster by a fifth
ok = eager and 'cam' in comp and 'memlearner' in comp and comp['cam'] < 0.8 * eager
print('true' if ok else 'false')
PY
)
  fi
  echo "compile: $mode" | tee -a runs/timing.txt
  echo "profiled $(( $(date +%s) - t0 )) s" | tee -a runs/timing.txt
  # the latents, and the contexts of the variants the runs train (all six unless ONLY leaves some out)
  variants=$(for r in "${RUNS[@]}"; do read -r _ variant _ <<< "$r"; echo "$variant"; done | sort -u | tr '\n' ' ')
  python -c "
from memory_video.training import train_all
train_all('mini', variants='$variants'.split(), prepare_only=True)"
  echo "prepared $(( $(date +%s) - t0 )) s" | tee -a runs/timing.txt
  for r in "${RUNS[@]}"; do
    read -r name variant extra <<< "$r"
    mkdir -p "runs/$name"
    setsid nohup python -m memory_video train --config "mini_$variant" --data.data data/worlds/small \
      --data.cache data/cache/small --trainer.default_root_dir "runs/$name" --trainer.max_steps "$MAX_STEPS" \
      --trainer.max_time "$MAX_TIME" --trainer.enable_progress_bar false --model.compile "$mode" $extra \
      > "runs/$name/train.log" 2>&1 &
  done
  echo "started $(date +%s)" > runs/started
  watch "$seconds"
  ;;
vae)
  # a sharper decoder (issue 23: the shipped one keeps 57% of the real frames' edges): LPIPS in the loss, the
  # encoder and latent statistics kept; on the data the runs train on (rendered by `prepare`)
  # and, beside it, the same with a patch critic's adversarial term (GAN_WEIGHT, 0: not run)
  for d in vae_sharp vae_gan; do
    gan=0; [ "$d" = vae_gan ] && gan=${GAN_WEIGHT:-0.5}
    [ "$d" = vae_gan ] && [ "$gan" = 0 ] && continue
    mkdir -p runs/$d
    setsid nohup python -m memory_video train-vae --data data/worlds/small --config small --out runs/$d \
      --init memory_video/weights/vae_small.safetensors --decoder-only --lpips-weight "${LPIPS_WEIGHT:-1.0}" \
      --gan-weight "$gan" --minutes "${VAE_MINUTES:-6}" --batch 64 --lr 1e-4 --quiet --results runs/$d \
      --checkpoint runs/$d/vae_small_sharp.safetensors > runs/$d/train.log 2>&1 &
  done
  sleep "${VAE_SLEEP:-60}"
  tail -n 3 runs/vae_*/train.log
  ;;
wait)
  # the held-out scenes of the rollouts, rendered while the runs train (CPU and EGL; the runs hold the GPU)
  python -c "from memory_video.evaluation import held_out_scenes; print(len(held_out_scenes(${SCENES:-16})), 'scenes')"
  watch "$seconds"
  echo "waited until $(( $(date +%s) - $(cut -d' ' -f2 runs/started) )) s after the start" | tee -a runs/timing.txt
  # the sharper decoder, if `vae` ran and has finished (its held-out numbers travel in eval's runs.tgz); no world models
  # here: 64 MiB come back in all, and eval copies the ones worth keeping once the rollouts have ranked them
  pick_decoder
  [ -f "$sharp" ] && cp "$sharp" "$out/"
  ls -la "$out"
  ;;
setup)
  # install the wheels and GL libraries and render the held-out scenes; a later call can then carry .metrics alone
  python -c "from memory_video.evaluation import held_out_scenes; print(len(held_out_scenes(${seconds})))"
  ;;
rollouts)
  # rollouts only (no training): the shipped model and whatever runs/ holds
  python tools/gpu_rollouts.py "$out" "${args[@]:2}"
  ;;
tables)
  mkdir -p runs/table_models runs/tables
  for v in first random dfot framepack cam memlearner; do
    run=${v}_full; [ "$v" = cam ] && run=${CAM_RUN:-cam_full}
    [ -f "runs/$run/model.safetensors" ] && cp "runs/$run/model.safetensors" "runs/table_models/${SIZE:-mini}_$v.safetensors"
  done
  python -m memory_video eval --table "${TABLE:-1}" --models runs/table_models --size "${SIZE:-mini}" --worlds data/worlds \
    --scenes "${SCENES:-32}" --seeds 2 --device cuda --out runs/tables "${args[@]:2}"
  cp runs/tables/*.json runs/tables/*.png "$out/" 2>/dev/null
  ls -la "$out"
  ;;
eval)
  watch "${EVAL_WAIT:-240}"
  budget=${EVAL_SECONDS:-520}
  pick_decoder
  sharp_args=(); [ -f "$sharp" ] && sharp_args=(--sharp-vae "$sharp")
  # waited for by pid: a bare `wait` would also wait for the tee of OUT/<phase>.log, which ends only with the script
  pids=()
  # where the blur starts, with the sharp decoder: once a machine (a second eval call on it would spend ~75 s again)
  if [ -f "$sharp" ] && [ ! -f runs/blur_sources.done ]; then
    python tools/blur_sources.py "$out" --device cuda --steps 20 --seeds 0 --sharp-vae "$sharp" \
      > runs/blur_sources.log 2>&1 &
    pids+=($!)
  fi
  # three processes side by side (each is bound by kernel launches), the most wanted methods first in each; none
  # starts a method past the deadline, and each saves after every method
  default="cam (shipped)|cam_full|cam_base|cam_noise|cam (shipped) + held first|cam_full, truth in memory"
  default+=";first_full|cam_strong|random_full|cam_guided|cam_guided, no guidance|cam_full + sharp decoder"
  default+="|cam (shipped), truth in memory"
  default+=";dfot_full|framepack_full|memlearner_full|cam (shipped) + sharp decoder|first_full, truth in memory"
  IFS=';' read -ra groups <<< "${GROUPS_:-$default}"
  i=0
  deadline=$((budget - ($(date +%s) - t0) - ${EVAL_MARGIN:-150}))
  for g in "${groups[@]}"; do
    i=$((i + 1))
    python tools/gpu_rollouts.py "$out" --part "p$i" --only "$g" --deadline "$deadline" "${sharp_args[@]}" \
      "${args[@]:2}" \
      > "runs/rollouts_p$i.log" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  [ -f "$out/blur_sources.json" ] && touch runs/blur_sources.done
  tail -n 25 runs/rollouts_p*.log runs/blur_sources.log 2>/dev/null
  # the models worth keeping: the best run on the returns (truth PSNR), cam_full and first_full (at most 3 files)
  keep=$(python - "$out" <<'PY'
import json, sys
from pathlib import Path
rows = [r for f in Path(sys.argv[1]).glob('rollouts*.json') for r in json.loads(f.read_text())['results']['rows']]
runs = {p.parent.name for p in Path('runs').glob('*/model.safetensors')}
back = {}
for r in rows:
    if r['kind'] != 'tour' and r['method'] in runs:
        back.setdefault(r['method'], []).append(r['psnr'])
best = max(back, key=lambda m: sum(back[m]) / len(back[m])) if back else ''
print(' '.join(dict.fromkeys(m for m in (best, 'cam_full', 'first_full') if m in runs)))
PY
)
  echo "kept: $keep"
  for m in ${KEEP:-$keep}; do cp "runs/$m/model.safetensors" "$out/$m.safetensors"; done
  pack_runs
  # at most 8 files come back: the measurements in one archive (the models, the decoder and runs.tgz apart)
  (cd "$out" && tar czf results.tgz --remove-files $(ls *.json *.npz vae.log wait.log prepare.log 2>/dev/null))
  ls -la "$out"
  ;;
quick)
  # everything in one device call, for a session with little device time: prepare (no profile), the runs for
  # MAX_TIME, the held-out scenes rendered meanwhile, the models and training logs into OUT at once, then rollouts
  # scored by PSNR and sharpness alone (no metric weights travel: .whl and .gl fill the tree) in what is left of
  # SECONDS (default 570), one method a process, each saved into OUT as it ends (8 files at most come back)
  end=${3:-570}
  PROFILE=0 bash "$0" "$out" prepare 0
  wait_s=$(python -c "h, m, s = '${MAX_TIME}'.split(':')[1:]; print(int(h) * 3600 + int(m) * 60 + int(s) + 60)")
  bash "$0" "$out" wait "$wait_s"
  for m in cam_full first_full; do
    [ -f "runs/$m/model.safetensors" ] && cp "runs/$m/model.safetensors" "$out/$m.safetensors"
  done
  pack_runs
  left=$((end - ($(date +%s) - t0)))
  groups="${GROUPS_:-cam_full|cam_full, truth in memory;first_full;cam_base|cam (shipped)}"
  EVAL_WAIT=0 EVAL_MARGIN=${EVAL_MARGIN:-60} EVAL_SECONDS=$left GROUPS_="$groups" bash "$0" "$out" eval --no-lpips \
    --examples cam_full "${args[@]:3}"
  ;;
esac
