"""Where the blur of a rollout starts (issue 23): the first segments of held-out tours, where the memory is the real
first frame, scored against the rendered truth for the VAE alone (each 9-frame clip encoded and decoded, as the model's
training targets are; each frame on its own, as memory frames are) and the shipped model at several sampling step
counts, beside the trivial baselines (05d_rollout). Writes OUT/blur_sources.json (rows, summary, provenance).
    python tools/blur_sources.py OUT [--scenes 16] [--segments 2] [--steps 20,50,100] [--seeds 0,1] [--device cpu]"""
import argparse, time
from pathlib import Path
import torch
from memory_video.evaluation import HELDOUT, Scorer, held_out_scenes
from memory_video.generate import load_world_model
from memory_video.rollout import _rows, run_rollouts, score_frames, summarize_rollouts, tour_case
from memory_video.runtime import provenance, save_result
from memory_video.vae import load_small_vae
from memory_video.world import encode_frames, to_uint8
from memory_video.vae import to_clip_tensor

p = argparse.ArgumentParser()
p.add_argument('out')
p.add_argument('--scenes', type=int, default=16)
p.add_argument('--segments', type=int, default=2)
p.add_argument('--steps', default='20,50,100')
p.add_argument('--seeds', default='0,1')
p.add_argument('--device', default='cpu')
p.add_argument('--sharp-vae', default='', help='a fine-tuned decoder (train-vae --decoder-only) scored beside')
a = p.parse_args()
out, t0 = Path(a.out), time.time()
out.mkdir(parents=True, exist_ok=True)
vae = load_small_vae().to(a.device).eval()
scenes = held_out_scenes(a.scenes, config=HELDOUT)
cases = [tour_case(v, n_frames=8 * a.segments + 1) for v in scenes]
scorer = Scorer(fid=False, device=a.device)
rows = []


@torch.no_grad()
def vae_rows(name, decode):
    "Rows of the real frames of every case passed through `decode(real uint8 (N, H, W, 3)) -> uint8 (N, H, W, 3)`."
    for c in cases:
        rows.extend(_rows(name, c, 0, score_frames(decode(c['real']), c['real'], scorer)))


def clip_round_trip(real, vae=vae):
    # the segments as the model's training targets hold them: 9 frames (frame 0 shared) -> 3 latents -> 9 frames
    segs = [real[i : i + 9] for i in range(0, len(real) - 1, 8)]
    dec = [to_uint8(vae.decode(vae.encode(to_clip_tensor(s[None]).to(a.device))).float().cpu())[0] for s in segs]
    return torch.cat([dec[0][:1], *[d[1:] for d in dec]])


def frame_round_trip(real):
    # memory frames: each frame encoded on its own and decoded on its own
    lat = encode_frames(vae, real, a.device)
    return torch.cat([to_uint8(vae.decode(z[None, :, None].to(a.device)).float().cpu())[0] for z in lat])


vae_rows('VAE, 9-frame clips', clip_round_trip)
sharp = None
if a.sharp_vae:
    from memory_video.vae import load_vae
    sharp = load_vae(a.sharp_vae, 'small', a.device).eval()
    vae_rows('sharp decoder, 9-frame clips', lambda real: clip_round_trip(real, sharp))
vae_rows('VAE, frame by frame', frame_round_trip)
print(f'VAE rows in {time.time() - t0:.0f} s', flush=True)
model, variant = load_world_model('mini_cam', a.device)
seeds = [int(s) for s in a.seeds.split(',')]
for i, steps in enumerate(int(s) for s in a.steps.split(',')):
    t1 = time.time()
    name = f'cam (shipped), {steps} steps'
    got = run_rollouts({name: (model, variant)}, vae, cases, scorer, steps=steps, seeds=seeds, device=a.device)
    rows += [r for r in got if i == 0 or r['method'] == name]
    print(f'{name}: {time.time() - t1:.0f} s', flush=True)
if sharp is not None:
    name = f'cam (shipped) + sharp decoder, {a.steps.split(",")[0]} steps'
    got = run_rollouts({name: (model, variant)}, sharp, cases, scorer, steps=int(a.steps.split(',')[0]), seeds=seeds,
                       device=a.device)
    rows += [r for r in got if r['method'] == name]
summary = summarize_rollouts(rows)
res = dict(scenes=[v.name for v in scenes], segments=a.segments, seeds=seeds, rows=rows,
           summary=summary.to_dict(orient='records'), seconds=time.time() - t0)
opts = [f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items() if k != 'out' and v != '']
cmd = 'python tools/blur_sources.py OUT ' + ' '.join(opts)
print('saved', save_result(out / 'blur_sources.json', res, provenance(a.device, cmd)))
print(summary.pivot_table(index='method', columns='segment', values=['psnr', 'sharpness']).round(2).to_string())
