#!/usr/bin/env bash
# The test suite: every notebook is a test. Prints `N passed, N failed` last (notebooks, sync, ruff and docs checks).
set -uo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MPLBACKEND=Agg PYTHONUNBUFFERED=1
passed=0; failed=0
check() {  # check NAME COMMAND...: run a check, count it
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}

# 1. notebooks and library in sync: exporting and cleaning must change nothing that is committed
in_sync() {
  python tools/export.py && nbdev_clean || return 1
  python tools/readme.py --check || return 1
  if [ -n "$(git status --porcelain -- memory_video nbs README.md)" ]; then
    echo "tools/export.py/nbdev_clean/readme changed files: notebooks, library and README are out of sync:"; git status --porcelain -- memory_video nbs README.md
    return 1
  fi
}
check "notebooks, library and README in sync" in_sync

# 2. the library's style: long lines and one-line compound statements (config: pyproject.toml's [tool.ruff])
check "ruff check memory_video/" ruff check memory_video/

# 2b. the pages carry no debris: no error output, no prose in a code cell, results pages committed executed
check "page check (tools/check_pages.py) and its own test" bash -c "python tools/test_check_pages.py && python tools/check_pages.py"

# 2c. the tree still travels to the GPU machine: tracked files + the carried wheels and GL libraries <= 64 MiB
check "tree size for the GPU machine (tools/tree_size.py)" python tools/tree_size.py

# 2d. the FID/FVD weights reach the GPU machine in parts, joined bit for bit (tools/metrics_parts.py)
check "metric weights in parts (tools/test_metrics_parts.py)" python tools/test_metrics_parts.py

# 2e. the rollouts of several GPU processes joined into one record (tools/collect_world.py)
check "rollout parts joined (tools/test_collect_world.py)" python tools/test_collect_world.py

# 2f. several models of one architecture stepped as one batched model: exactly the separate steps (tools/bench_stacked.py)
check "stacked training step equals the separate steps (tools/bench_stacked.py --check)" \
  python -W ignore tools/bench_stacked.py /tmp/bench_stacked_check --check

# 3. the package as a user gets it: the wheel built, installed into a fresh venv, `memory_video generate` run outside
check "wheel: built, installed in a fresh venv, memory_video generate runs outside the checkout" bash tools/wheel_test.sh

# 4. every notebook, two at a time; nbdev_test names the notebooks that failed
mapfile -t nbs < <(python -c "from nbdev.doclinks import nbglob; from nbdev.config import get_config; [print(p.name) for p in sorted(nbglob(get_config().nbs_path, as_path=True))]")
log=$(mktemp)
start=$(date +%s)
nbdev_test --n_workers 2 --timing 2>&1 | tee "$log"
echo "nbdev_test took $(( $(date +%s) - start )) s"
for nb in "${nbs[@]}"; do
  if grep -q "^nbdev Tests Failed" "$log" && grep -qP "^\t$nb\$" "$log"; then failed=$((failed + 1)); echo "FAIL $nb"
  elif grep -q "^Success\." "$log" || grep -q "^nbdev Tests Failed" "$log"; then passed=$((passed + 1)); echo "PASS $nb"
  else failed=$((failed + 1)); echo "FAIL $nb (nbdev_test did not finish)"; fi
done

# 5. the part of the docs build that runs without quarto (nbdev_proc_nbs's steps; it would try to sudo-install quarto)
docs() {
  rm -rf _proc; python tools/proc_docs.py || return 1
  if [ -n "$(git status --porcelain -- nbs)" ]; then echo "the docs pre-processing changed nbs/ (nbdev.yml or sidebar.yml out of date):"; git status --porcelain -- nbs; return 1; fi
}
check "docs pre-processing (nbdev_proc_nbs steps)" docs

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
