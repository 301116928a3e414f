"""Collect the run folders that came back from a GPU machine (tools/gpu_train_all.sh's runs.tgz, one per chunk) into
data/results/train_<size>/ (or OUT): each variant's summary and its joined metrics, the render result, and the time to
train on GPUS GPUs.
    python tools/collect_runs.py SIZE DEVICE COMMAND RUNS_DIR_OF_LAST_CHUNK [OUT [GPUS]]"""
import json, re, shutil, sys
from pathlib import Path

import pandas as pd

from memory_video.training import read_metrics


def main(size: str, device: str, command: str, runs: str, out: str = '', gpus: str = '2'):
    out = Path(out or Path('data/results') / f'train_{size}')
    out.mkdir(parents=True, exist_ok=True)
    runs = Path(runs)
    for folder in sorted(runs.glob(f'{size}_*')):
        variant = folder.name.removeprefix(f'{size}_')
        shutil.copy(folder / 'summary.json', out / f'summary_{variant}.json')
        pd.DataFrame(read_metrics(folder)).to_csv(out / f'metrics_{variant}.csv', index=False)
    shutil.copy(runs / 'render_small.json', out / 'render_small.json')
    phases = []
    for line in (runs / 'timing.txt').read_text().splitlines():
        m = re.match(r'(render|latents and contexts|training chunk) (\d+) s', line)
        if m:
            phases.append(dict(phase=m[1], seconds=int(m[2]), line=line))
    summaries = [json.loads(p.read_text()) for p in sorted(out.glob('summary_*.json'))]
    prov = summaries[0]['provenance']
    timing = dict(
        provenance=dict(command=command, commit=prov['commit'], tree=prov['tree'], dirty=prov['dirty'], device=device,
                        torch=prov['torch'], python=prov['python'], date=max(s['provenance']['date'] for s in summaries)),
        results=dict(phases=phases, total_seconds=sum(p['seconds'] for p in phases), gpus=int(gpus),
                     note='phases as timed on the GPU machine by tools/gpu_train_all.sh; excludes machine start-up '
                          'and the gaps between device calls'))
    (out / 'timing.json').write_text(json.dumps(timing, indent=1) + '\n')
    print(out, sorted(p.name for p in out.iterdir()))


if __name__ == '__main__':
    main(*sys.argv[1:])
