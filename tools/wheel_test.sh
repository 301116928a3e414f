#!/usr/bin/env bash
# The package as a user gets it: build the wheel, install it into a fresh virtual environment, and run
# `memory_video generate` from a folder outside the checkout, so the weights must come from the wheel, not the checkout.
# Offline-tolerant: the build runs without isolation (setuptools is already here) and the venv reuses the installed
# dependencies (--system-site-packages: torch stays the CPU build already installed, never a CUDA one from the index).
# The model: the default one if the wheel ships it, else an untrained tiny one written by the installed package.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset PYTHONPATH  # import what the wheel installed, not a checkout

# from a copy of the working tree's files (tracked or not ignored): no build/ or egg-info left in the checkout
mkdir "$tmp/src" && git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$tmp/src"
python -m build --wheel --no-isolation --outdir "$tmp/dist" "$tmp/src" >"$tmp/build.log" 2>&1 || { tail -20 "$tmp/build.log"; exit 1; }
whl=$(ls "$tmp"/dist/memory_video-*.whl)
echo "built $(basename "$whl") ($(du -k "$whl" | cut -f1) KB)"
python - "$whl" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for need in ('memory_video/weights/vae_small.safetensors', 'memory_video/configs/mini_cam.yaml', 'memory_video/generate.py'):
    assert need in names, f'{need} is missing from the wheel'
PY

python -m venv --system-site-packages "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q "$whl" >"$tmp/pip.log" 2>&1 || { tail -20 "$tmp/pip.log"; exit 1; }

mkdir "$tmp/run" && cd "$tmp/run"
"$tmp/venv/bin/python" - <<'PY'
import sys
from pathlib import Path
import memory_video
from memory_video.generate import model_path

here = Path(memory_video.__file__).resolve()
assert here.is_relative_to(Path(sys.prefix).resolve()), f'memory_video imported from {here}, not from the venv'
print('memory_video', memory_video.__version__, 'from', here.parent)
if not model_path().exists():  # no default world model in this wheel yet: an untrained tiny one
    import dataclasses
    from memory_video.dit import DIT_CONFIGS, MemoryDiT, save_dit
    save_dit(MemoryDiT(dataclasses.replace(DIT_CONFIGS['tiny'], memory='cam', latent=16)), 'tiny_cam.safetensors',
             extra=dict(variant='cam'))
PY
model=()
[ -f tiny_cam.safetensors ] && model=(--model tiny_cam.safetensors)
"$tmp/venv/bin/memory_video" generate --steps 2 --trajectory short --quiet --out out "${model[@]}"
for f in world.mp4 world.gif result.json; do [ -s "out/$f" ] || { echo "out/$f was not written"; exit 1; }; done
echo "wheel OK: memory_video generate ran from $(pwd), outside the checkout"
