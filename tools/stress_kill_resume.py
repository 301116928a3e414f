"""Run 00c's kill/resume test many times in a row, several copies at once (issue 26: it failed under load).

The test is taken from the notebook itself (its import cell, the uninterrupted reference render, the kill/resume cell,
found by content), so what runs here is what `nbdev_test` runs. Each run is a fresh Python process in `nbs/`; `--copies`
workers each run `--runs` of them back to back, so `--copies` renders compete for the CPU all the time.

Usage (repository root): `python tools/stress_kill_resume.py [--runs 20] [--copies 2]`; exits 1 if any run failed and
prints the failures' last lines. Set PYTHONPATH to the checkout to test it rather than an installed copy."""
import argparse, json, os, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

NB = Path(__file__).resolve().parent.parent / 'nbs' / '00c_datasets.ipynb'
MARKERS = ('from fastcore.test import', "root = render_dataset('tiny', tmp / 'a'", 'proc.kill(); proc.wait()')


def program() -> str:
    "The test as one Python program: the module's namespace, then the notebook cells that make up the test."
    cells = [''.join(c['source']) for c in json.loads(NB.read_text())['cells'] if c['cell_type'] == 'code']
    parts = ['import memory_video.datasets as _m\n'
             'globals().update({k: v for k, v in vars(_m).items() if not k.startswith("__")})']
    for marker in MARKERS:
        found = [c for c in cells if marker in c]
        if len(found) != 1:
            raise SystemExit(f'{NB}: expected one code cell containing {marker!r}, found {len(found)}')
        parts.append(found[0])
    parts.append("shutil.rmtree(tmp, ignore_errors=True)")
    return '\n\n'.join(parts)


def one(code: str, copy: int, run: int) -> dict:
    t0 = time.time()
    r = subprocess.run([sys.executable, '-c', code], cwd=NB.parent, capture_output=True, text=True,
                       env={**os.environ, 'OMP_NUM_THREADS': '1', 'MPLBACKEND': 'Agg'})
    out = (r.stdout + r.stderr).strip().splitlines()
    line = next((x for x in reversed(out) if x.startswith('killed with')), out[-1] if out else '')
    print(f'copy {copy} run {run:2d}: {"ok  " if r.returncode == 0 else "FAIL"} {time.time() - t0:5.1f} s  {line}',
          flush=True)
    return dict(copy=copy, run=run, ok=r.returncode == 0, tail='\n'.join(out[-15:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=20, help='runs per copy, back to back')
    ap.add_argument('--copies', type=int, default=2, help='copies running at once')
    a = ap.parse_args()
    if a.runs < 1 or a.copies < 1:
        raise SystemExit(f'--runs and --copies: expected integers >= 1, got {a.runs}, {a.copies}')
    code = program()
    t0 = time.time()
    with ThreadPoolExecutor(a.copies) as pool:
        per_copy = pool.map(lambda c: [one(code, c, i) for i in range(a.runs)], range(a.copies))
        results = [r for rs in per_copy for r in rs]
    bad = [r for r in results if not r['ok']]
    for r in bad:
        print(f"--- copy {r['copy']} run {r['run']} failed:\n{r['tail']}")
    print(f'{len(results) - len(bad)} of {len(results)} runs passed ({a.copies} copies at once, {a.runs} runs each, '
          f'{time.time() - t0:.0f} s)')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
