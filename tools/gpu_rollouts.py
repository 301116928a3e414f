"""On the GPU machine: rollouts of every trained model of `runs/` (and the shipped default) against the rendered truth
on held-out scenes, with the trivial baselines (05d_rollout). Writes to OUT: rollouts.json (rows + provenance) and
examples_tour_<i>.npz and examples_revisit.npz (uint8 frames of scenes 0 and 1 for the --examples methods).
    python tools/gpu_rollouts.py OUT [--scenes 16] [--steps 20] [--seeds 0] [--runs a,b] [--examples "a|b"]
        [--shipped-50] [--only "method|method"] [--part NAME] [--deadline SECONDS] [--no-lpips] [--truth-memory "a|b"]
Several processes side by side on one GPU (each is bound by kernel launches, not by the GPU): give each its methods
(`--only`) and a `--part` name (rollouts_NAME.json); tools/collect_world.py joins the parts. Results are saved after
every method, and no method is started once `--deadline` seconds have passed, so a call cut off keeps what it did."""
import argparse, copy, json, sys, time
from pathlib import Path
import numpy as np
import torch
from memory_video.runtime import provenance, save_result
from memory_video.evaluation import HELDOUT, Scorer, held_out_scenes
from memory_video.generate import load_world_model
from memory_video.rollout import revisit_cases, run_rollouts, summarize_rollouts, tour_case
from memory_video.vae import load_small_vae

p = argparse.ArgumentParser()
p.add_argument('out')
p.add_argument('--scenes', type=int, default=16)
p.add_argument('--steps', type=int, default=20)
p.add_argument('--seeds', default='0')
p.add_argument('--runs', default='')
p.add_argument('--examples', default='cam (shipped)|cam (shipped), 50 steps|cam_full|first_full')
p.add_argument('--kinds', default='hc90,hc180,loop')
p.add_argument('--device', default='cuda')
p.add_argument('--steps-50', action='store_true')
p.add_argument('--shipped-50', action='store_true')
p.add_argument('--example-scenes', type=int, default=1)
p.add_argument('--sharp-vae', default='', help='a fine-tuned decoder (train-vae --decoder-only): rollouts with it too')
p.add_argument('--sharp-for', default='cam (shipped)|cam_full', help='the models rolled out with --sharp-vae too')
p.add_argument('--only', default='', help='"a|b": only these methods (the names printed), in this order')
p.add_argument('--part', default='', help='write rollouts_PART.json and examples_PART_*.npz')
p.add_argument('--deadline', type=float, default=0, help='start no method after this many seconds (0: no limit)')
p.add_argument('--truth-memory', default='cam (shipped)|cam_full|cam_base|first_full',
               help='"a|b": these also rolled out with memory of the truth ("a, truth in memory": teacher-forced)')
p.add_argument('--no-lpips', action='store_true', help='PSNR and sharpness only (LPIPS NaN): no metric weights needed')
a = p.parse_args()
out, device, t0 = Path(a.out), a.device, time.time()
vae = load_small_vae().to(device)
scenes = held_out_scenes(a.scenes, config=HELDOUT)
cases = [tour_case(v) for v in scenes]
for v in scenes:
    for kind in [k for k in a.kinds.split(',') if k]:
        try:
            cases += revisit_cases(v, (kind,))
        except ValueError as e:
            # a scene with no room for the case (e.g. no A-B-A loop fits): said, counted, and left out
            print(f'{v.name} {kind}: left out ({e})', flush=True)
print(f'{len(cases)} cases of {len(scenes)} scenes in {time.time() - t0:.0f} s', flush=True)


def with_settings(model, **kw):
    "A copy of a loaded model that generates with other settings (its metadata says how)."
    m = copy.deepcopy(model)
    m.extra = dict(getattr(model, 'extra', None) or {}, **kw)
    return m


models = {}
shipped, v = load_world_model('mini_cam', device)
models['cam (shipped)'] = (shipped, v)
models['cam (shipped) + held first'] = (with_settings(shipped, hold_first=True), v)
names = [r for r in a.runs.split(',') if r] or sorted(p.parent.name for p in Path('runs').glob('*/model.safetensors'))
for name in names:
    path = Path('runs') / name / 'model.safetensors'
    if path.exists():
        models[name] = load_world_model(str(path), device)
steps = {name: a.steps for name in models}
if a.shipped_50:
    models['cam (shipped), 50 steps'] = (shipped, v)
    steps['cam (shipped), 50 steps'] = 50
if 'cam_full' in models:
    m, v = models['cam_full']
    if a.steps_50:
        models['cam_full, 50 steps'] = (m, v)
        steps['cam_full, 50 steps'] = 50
if 'cam_guided' in models:
    # the same model without its guidance on memory: what the guidance itself buys
    m, v = models['cam_guided']
    models['cam_guided, no guidance'] = (with_settings(m, context_scale=1.0), v)
    steps['cam_guided, no guidance'] = a.steps
examples = {}
wanted = set(a.examples.split('|'))


def keep(method, case, seed, frames):
    if method in wanted and seed == 0 and case['video'] in scenes[: a.example_scenes]:
        key = f"{case['kind']}__{scenes.index(case['video'])}"
        examples.setdefault(key, {'real': case['real'].numpy(), 'poses': case['poses'].numpy()})
        examples[key][method] = frames.numpy()


vaes = {name: vae for name in models}
if a.sharp_vae:
    # the same models with the sharper decoder: memory frames pass it too (decoded, then encoded again)
    from memory_video.vae import load_vae
    sharp = load_vae(a.sharp_vae, 'small', device)
    for name in [n for n in a.sharp_for.split('|') if n in models]:
        models[f'{name} + sharp decoder'] = models[name]
        steps[f'{name} + sharp decoder'] = steps[name]
        vaes[f'{name} + sharp decoder'] = sharp
        wanted.add(f'{name} + sharp decoder')
TRUTH = ', truth in memory'
for name in [n for n in a.truth_memory.split('|') if n in models]:
    # memory holds the real frames: each segment one prediction from a perfect past (what drift costs is the gap)
    models[name + TRUTH] = models[name]
    steps[name + TRUTH] = steps[name]
    vaes[name + TRUTH] = vaes[name]
if a.only:
    order = [n for n in a.only.split('|') if n]
    missing = [n for n in order if n not in models]
    if missing:
        print(f'--only: not among the methods here, skipped: {missing}', flush=True)
    models = {n: models[n] for n in order if n in models}


class PSNROnly:
    "A stand-in for `Scorer` on a machine without the LPIPS weights: PSNR per frame, LPIPS NaN."

    def frames(self, pred, ref):
        from memory_video.metrics import psnr
        to01 = lambda x: torch.as_tensor(x).permute(0, 3, 1, 2).float() / 255
        value = psnr(to01(pred), to01(ref))
        return dict(psnr=value, lpips=torch.full_like(value, float('nan')))


scorer = PSNROnly() if a.no_lpips else Scorer(fid=False, device=device)
seeds = [int(s) for s in a.seeds.split(',')]
suffix = f'_{a.part}' if a.part else ''
rows = []


def save():
    "Everything measured so far (called after every method, so a call cut off at its limit keeps it)."
    summary = summarize_rollouts(rows)
    res = dict(scenes=[v.name for v in scenes], steps={n: steps[n] for n in {r['method'] for r in rows} if n in steps},
               seeds=seeds, rows=rows, summary=summary.to_dict(orient='records'), seconds=time.time() - t0)
    save_result(out / f'rollouts{suffix}.json', res, provenance(device))
    files = {}
    for key, d in examples.items():
        kind, i = key.split('__')
        file = f'examples{suffix}_tour_{i}' if kind == 'tour' else f'examples{suffix}_revisit'
        files.setdefault(file, {}).update({f'{key}__{k}'.replace(' ', '_'): x for k, x in d.items()})
    for file, arrays in files.items():
        np.savez_compressed(out / f'{file}.npz', **arrays)
    return summary


for name, mv in models.items():
    if a.deadline and time.time() - t0 > a.deadline:
        print(f'{name:<28} not started: past the deadline of {a.deadline:.0f} s', flush=True)
        continue
    t1 = time.time()
    got = run_rollouts({name: mv}, vaes[name], cases, scorer, steps=steps[name], seeds=seeds, device=device, batch=64,
                       keep=keep, truth_memory=name.endswith(TRUTH))
    # the trivial baselines come with every method: keep them once
    rows += got if not rows else [r for r in got if r['method'] == name]
    tours = [r['psnr'] for r in got if r['method'] == name and r['kind'] == 'tour']
    backs = [r['psnr'] for r in got if r['method'] == name and r['kind'] != 'tour']
    print(f'{name:<28} tour {np.mean(tours):5.2f} dB  returns {np.mean(backs):5.2f} dB  ({time.time() - t1:.0f} s)',
          flush=True)
    summary = save()
if rows:
    print(summary[summary['kind'] != 'tour'].groupby(['method', 'kind'])['psnr'].mean().round(2).to_string())
print(f'done in {time.time() - t0:.0f} s')
