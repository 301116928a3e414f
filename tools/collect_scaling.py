"""Collect the runs of tools/gpu_scaling.sh (the scaling.tgz files a device call brought back) into
data/results/scaling.json: per run its settings, throughput (median over the logged intervals after the first, which
holds the warm-up), validation curve and provenance. A run named in several archives keeps its last version; earlier
entries of data/results/scaling.json are kept unless a new archive holds the same run name.

    python tools/collect_scaling.py KIND ARCHIVE... [--out data/results/scaling.json]
"""

import argparse
import csv
import json
import re
import statistics
import tarfile
import tempfile
from pathlib import Path


def _rows(run: Path) -> list:
    rows = []
    for f in sorted(run.glob('logs/chunk_*/metrics.csv')):
        with open(f) as fh:
            rows += [{k: float(v) for k, v in r.items() if v != ''} for r in csv.DictReader(fh)]
    return rows


def _median_after_first(rows: list, key: str) -> float | None:
    "Median of the distinct logged values of `key` (each interval is logged at several steps), the first dropped."
    values = list(dict.fromkeys(r[key] for r in rows if key in r))
    return statistics.median(values[1:] if len(values) > 1 else values) if values else None


def collect(kind: str, archive: Path) -> dict:
    runs = {}
    with tempfile.TemporaryDirectory() as d:
        with tarfile.open(archive) as t:
            t.extractall(d, filter='data')
        root = Path(d) / 'runs' / 'scaling'
        timing = (root / 'timing.txt').read_text() if (root / 'timing.txt').exists() else ''
        pat = r'^(\S+) (\S+) (\S+) devices=(\d+) batch=(\d+) steps=(\d+) rc=(\d+) (\d+) s$'
        for m in re.finditer(pat, timing, re.M):
            name, config, strategy, devices, batch, steps, rc, secs = m.groups()
            summary = root / name / 'summary.json'
            if rc != '0' or not summary.exists():
                continue
            s = json.loads(summary.read_text())
            rows = _rows(root / name)
            runs[name] = dict(
                name=name, kind=kind, config=config, strategy=strategy, devices=int(devices),
                batch_per_gpu=int(batch), steps=s['steps'], params=s['params'], wall_s=int(secs),
                tokens_per_s=_median_after_first(rows, 'perf/tokens_per_s'),
                steps_per_s=_median_after_first(rows, 'perf/steps_per_s'),
                mfu=_median_after_first(rows, 'perf/mfu'),
                val=[dict(step=int(r['step']) + 1, loss=r['val/loss'], loss_revisit=r.get('val/loss_revisit'))
                     for r in rows if 'val/loss' in r],
                train_loss=[dict(step=int(r['train/step']) + 1, loss=r['train/loss'])
                            for r in rows if 'train/loss' in r],
                provenance=s['provenance'],
            )
    return runs


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('kind', help="the device kind the runs ran on, e.g. 'nvidia-h200'")
    p.add_argument('archives', nargs='+', type=Path)
    p.add_argument('--out', type=Path, default=Path('data/results/scaling.json'))
    a = p.parse_args(argv)
    old = json.loads(a.out.read_text())['runs'] if a.out.exists() else []
    runs = {f"{r['kind']}/{r['name']}": r for r in old}
    for archive in a.archives:
        runs.update({f'{a.kind}/{k}': v for k, v in collect(a.kind, archive).items()})
    a.out.write_text(json.dumps(dict(runs=list(runs.values())), indent=1) + '\n')
    for r in runs.values():
        print(f"{r['kind']:>14} {r['name']:>10} {r['config']:>10} {r['strategy']:>4} x{r['devices']} "
              f"batch {r['batch_per_gpu']}: {r['tokens_per_s']:,.0f} tokens/s, MFU {r['mfu']:.3f}")
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
