"""Issue 11's before/after check: the attention, sampling and MFU benchmarks of `memory_video.bench` run on the model
code of an earlier commit (default b669468, before the refactor) and on the current one, interleaved in one process so
that both see the same machine. Writes data/results/refactor_bench_<device>.json with provenance.

    python tools/bench_refactor.py [--before b669468] [--device cuda] [--out data/results]"""
import argparse, importlib.util, subprocess, sys, tempfile, types
from pathlib import Path

import torch
import memory_video.dit as new_dit
from memory_video import bench


def load_old_dit(rev: str) -> types.ModuleType:
    "The `dit` module of commit `rev`, imported as `memory_video_before.dit` (its relative imports resolve to today's)."
    src = subprocess.run(['git', 'show', f'{rev}:memory_video/dit.py'], capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / 'dit.py'
    path.write_text(src.replace('from .checkpoint import', 'from memory_video.checkpoint import'))
    spec = importlib.util.spec_from_file_location('memory_video_before.dit', path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def run(dev: str, code: dict, rounds: int = 2) -> list:
    rows = []
    for r in range(rounds):
        for name, mod in code.items():
            sys.modules['memory_video.dit'] = mod
            att = bench.bench_structured_attention(dev, batch=8)
            mem = bench.bench_memory(dev, 'small', ks=(1, 10, 30), repeats=2)
            mfu = bench.bench_mfu(dev, 'base', batch=8)
            rows.append(dict(code=name, round=r, attention=att, memory=mem, mfu=mfu))
            print(name, r, f"attention {att['speedup']:.2f}x, mfu {mfu['mfu']:.3f}",
                  [round(x['fps'], 1) for x in mem['rows']], flush=True)
    sys.modules['memory_video.dit'] = new_dit
    return rows


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--before', default='b669468')
    p.add_argument('--device', default='cuda')
    p.add_argument('--out', default='data/results')
    a = p.parse_args()
    rows = run(a.device, {'before': load_old_dit(a.before), 'after': new_dit})
    prov = bench.provenance(a.device, ' '.join(['python', *sys.argv]))
    kind = 'cuda' if a.device.startswith('cuda') else 'cpu'
    bench.save_result(Path(a.out) / f'refactor_bench_{kind}.json', dict(before=a.before, rows=rows), prov)
