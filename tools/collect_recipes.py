"""Collect one device session of tools/gpu_world.sh (issue 23: the recipes against exposure bias and the sharper
decoders) into small committed results, rows kept columnar with 3 decimals (the tree that travels is full):
    python tools/collect_recipes.py DIR... --device "NVIDIA H100 80GB HBM3" [--tag h100] [--models DIR]
DIR: folders with what came back (runs.tgz, results.tgz or their contents: rollouts*.json, blur_sources.json, runs/).
Writes data/results/world_recipes_TAG.json if runs/ came back (each run's summary and validation curve, each
decoder's held-out numbers, each with its own provenance; with --models, the sha256 of each <run>.safetensors there),
rollouts_TAG.json and blur_sources_TAG.json (rows as `columns` + `rows`)."""
import argparse, hashlib, json, tarfile, tempfile
from pathlib import Path

from collect_world import join_parts
from memory_video.training import read_metrics

COLUMNS = ['method', 'kind', 'scene', 'layout', 'seed', 'segment', 'psnr', 'lpips', 'sharpness']


def columnar(rows: list) -> dict:
    "Rows (dicts with COLUMNS) as `columns` and lists, floats to 3 decimals (NaN as None)."
    def cell(x):
        if isinstance(x, float):
            return None if x != x else round(x, 3)
        return x
    return dict(columns=COLUMNS, rows=[[cell(r[c]) for c in COLUMNS] for r in rows])


def unpack(folders: list, tmp: Path) -> Path:
    "Every archive and file of `folders` in one folder `tmp` (later folders win)."
    for f in folders:
        for p in sorted(Path(f).iterdir()):
            if p.name.endswith('.tgz'):
                with tarfile.open(p) as t:
                    t.extractall(tmp, filter='data')
            elif p.is_file() and p.suffix == '.json':
                (tmp / p.name).write_bytes(p.read_bytes())
    return tmp


def main():
    a = argparse.ArgumentParser()
    a.add_argument('folders', nargs='+')
    a.add_argument('--device', required=True)
    a.add_argument('--tag', default='h100')
    a.add_argument('--models', default='')
    a.add_argument('--note', default='', help='said in the rows files\' provenance (e.g. why `dirty` is true)')
    a = a.parse_args()
    out = Path('data/results')
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        src = unpack(a.folders, Path(tmp))
        runs = {}
        run_dirs = (src / 'runs').iterdir() if (src / 'runs').is_dir() else []
        for folder in sorted(p for p in run_dirs if (p / 'summary.json').exists()):
            summary = json.loads((folder / 'summary.json').read_text())
            summary['provenance']['device'] = a.device
            val = [r for r in read_metrics(folder) if 'val/loss' in r]
            summary['curve'] = dict(step=[r['step'] for r in val], val_loss=[round(r['val/loss'], 4) for r in val])
            runs[folder.name] = summary
        decoders = {}
        for f in sorted((src / 'runs').glob('vae_*/vae_small.json')):
            rec = json.loads(f.read_text())
            decoders[f.parent.name] = dict(rec['results'], provenance=rec['provenance'])
        timing_file = src / 'runs' / 'timing.txt'
        timing = timing_file.read_text().splitlines() if timing_file.exists() else []
        weights = sorted(Path(a.models).glob('*.safetensors')) if a.models else []
        models = {f.stem: hashlib.sha256(f.read_bytes()).hexdigest() for f in weights}
        rec = dict(
            provenance=dict(command='bash tools/gpu_world.sh OUT prepare|vae|wait|eval (see each part), collected by '
                            'python tools/collect_recipes.py', device=a.device),
            results=dict(runs=runs, decoders=decoders, timing=timing, sha256=models),
        )
        if runs:
            (out / f'world_recipes_{a.tag}.json').write_text(json.dumps(rec, separators=(',', ':')) + '\n')
            written.append(f'world_recipes_{a.tag}.json')
        for name in ('rollouts', 'blur_sources'):
            parts = sorted(src.glob(f'{name}*.json'))
            if not parts:
                continue
            first = json.loads(parts[0].read_text())
            # several processes' parts: one record (the baselines once), as collect_world.py joins them
            res = join_parts(parts) if len(parts) > 1 else dict(first['results'])
            rows = res.pop('rows')
            res.pop('summary', None)
            prov = dict(first['provenance'], device=a.device)
            if a.note:
                prov['note'] = a.note
            body = dict(provenance=prov, results=dict(res, parts=[p.name for p in parts], **columnar(rows)))
            (out / f'{name}_{a.tag}.json').write_text(json.dumps(body, separators=(',', ':')) + '\n')
            written.append(f'{name}_{a.tag}.json')
    for w in written:
        print(w, (out / w).stat().st_size, 'bytes')


if __name__ == '__main__':
    main()
