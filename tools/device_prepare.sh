#!/usr/bin/env bash
# Run HERE (a machine with the registries) before using a GPU machine that has no network: downloads what rendering
# needs there into .whl/ (Python wheels) and .gl/ (Debian GL/EGL and font libraries). Both folders are git-ignored;
# carry them to the GPU machine and source tools/device_env.sh there. Recipe measured in ../shared/REFERENCE.md section 4.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl .gl/root .gl/side
dl='python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform any'
# MiniWorld's wheel (39 MB, mostly textures) is kept aside, outside .whl/ and git-ignored, and .whl/ gets a slim copy:
# only the assets memory_video's worlds can load, frames bit-identical (data/results/slim_miniworld.json)
$dl -d data/cache/miniworld-full miniworld==2.1.0
python3 tools/slim_miniworld.py build
$dl -d .whl \
  pyglet==1.5.31 gymnasium==1.4.0 farama-notifications==0.0.6 fastcore==1.14.5 \
  jsonargparse==4.53.0 docstring-parser==0.18.0 typeshed-client==2.15.0
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64-lists'
mkdir -p /tmp/amd64-lists/partial
apt-get $o update -qq
(cd .gl/root && apt-get $o download -qq libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 libglu1-mesa)
(cd .gl/side && apt-get $o download -qq libfreetype6 libpng16-16 libbrotli1 libfontconfig1 libexpat1 fontconfig-config fonts-dejavu-core)
du -sh .whl .gl
