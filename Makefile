# The two commands of the README. Each sets itself up on a fresh machine.
PY ?= python3
export OMP_NUM_THREADS ?= 1
export MPLBACKEND ?= Agg

.PHONY: install test demo readme bench export

# torch first: an unpinned torch would pull several GB of CUDA packages on a CPU machine
install:
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev]"

# the whole test suite, exactly as CI runs it: notebooks and library in sync, every notebook executed, docs pre-processing
test: install
	bash tools/test.sh

# the main job: a held-out scene generated with memory by the shipped world model; writes outputs/generate/world.mp4
# and world.gif (ground truth | generated | memory) and prints the History-Context PSNR with memory and without
demo: install
	memory_video generate

# the library from the notebooks: nbdev_export with `__all__` kept within 120 columns (see tools/export.py)
export:
	$(PY) tools/export.py
	nbdev_clean

# README.md from nbs/index.ipynb (quarto's nbdev_readme cannot run on these machines)
readme:
	$(PY) tools/readme.py

bench: install
	memory_video bench
