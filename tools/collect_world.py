"""Collect what tools/gpu_world.sh brought back (FROM: rollouts*.json, runs.tgz, examples_*.npz, <run>.safetensors)
into data/results/world_mini/ (rollouts, run summaries and curves, timing, model checksums) and data/models/.
    python tools/collect_world.py FROM DEVICE"""
import hashlib, json, shutil, sys, tarfile, tempfile
from pathlib import Path

import pandas as pd

from memory_video.rollout import BASELINES, summarize_rollouts
from memory_video.training import read_metrics


def join_parts(files: list) -> dict:
    """One record from the rollouts of several processes (gpu_rollouts.py --part): every part's methods, the trivial
    baselines once (each part scored them on the same cases), the summary recomputed; provenance of the first part."""
    recs = [json.loads(Path(f).read_text())['results'] for f in files]
    rows, steps, seen = [], {}, set()
    for rec in recs:
        for r in rec['rows']:
            if r['method'] in BASELINES and rec is not recs[0]:
                continue
            key = (r['method'], r['kind'], r['scene'], r['seed'], r['segment'])
            if key in seen:
                raise ValueError(f"rollouts: {r['method']} on {r['scene']} ({r['kind']}) is in two parts")
            seen.add(key)
            rows.append(r)
        steps.update(rec['steps'])
    summary = summarize_rollouts(rows)
    return dict(recs[0], rows=rows, steps=steps, summary=summary.to_dict(orient='records'),
                parts=[Path(f).name for f in files], seconds=max(r.get('seconds', 0) for r in recs))


def main(src: str, device: str):
    src, out, models = Path(src), Path('data/results/world_mini'), Path('data/models')
    out.mkdir(parents=True, exist_ok=True)
    models.mkdir(parents=True, exist_ok=True)
    parts = sorted(src.glob('rollouts*.json'))
    rec = json.loads(parts[0].read_text())
    if len(parts) > 1:
        rec['results'] = join_parts(parts)
    rec['provenance']['device'] = device
    (out / 'rollouts.json').write_text(json.dumps(rec, indent=1) + '\n')
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(src / 'runs.tgz') as t:
            t.extractall(tmp, filter='data')
        runs = Path(tmp) / 'runs'
        for folder in sorted(p for p in runs.iterdir() if p.is_dir()):
            if (folder / 'summary.json').exists():
                shutil.copy(folder / 'summary.json', out / f'summary_{folder.name}.json')
            if (folder / 'logs').exists():
                pd.DataFrame(read_metrics(folder)).to_csv(out / f'metrics_{folder.name}.csv', index=False)
        if (runs / 'timing.txt').exists():
            shutil.copy(runs / 'timing.txt', out / 'timing.txt')
    sums = {}
    for f in sorted(src.glob('*.safetensors')):
        shutil.copy(f, models / f'world_mini_{f.stem}.safetensors')
        sums[f.stem] = hashlib.sha256(f.read_bytes()).hexdigest()
    prov = dict(rec['provenance'], command='bash tools/gpu_world.sh OUT prepare|eval (runs), collected by '
                'python tools/collect_world.py')
    (out / 'models.json').write_text(json.dumps(dict(provenance=prov, results=dict(sha256=sums)), indent=1) + '\n')
    for f in src.glob('examples_*.npz'):
        shutil.copy(f, Path('data/cache') / f.name)
    print(sorted(p.name for p in out.iterdir()))


if __name__ == '__main__':
    main(*sys.argv[1:])
