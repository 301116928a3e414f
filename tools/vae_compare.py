"""Held-out reconstruction of several VAE files side by side: PSNR, SSIM, LPIPS and the sharpness ratio (01a) on the
same clips of the val split of a rendered dataset. Writes OUT/vae_compare.json (rows + provenance).
    python tools/vae_compare.py OUT --data DATASET --vae NAME=PATH [NAME=PATH ...] [--clips 16] [--device cpu]"""
import argparse, time
from pathlib import Path
import torch
from memory_video.datasets import open_dataset
from memory_video.evaluation import Scorer
from memory_video.runtime import provenance, save_result
from memory_video.vae import load_vae, to_clip_tensor
from memory_video.vae_training import evaluate_vae
from memory_video.world import to_uint8

p = argparse.ArgumentParser()
p.add_argument('out')
p.add_argument('--data', required=True)
p.add_argument('--vae', nargs='+', required=True, help='NAME=PATH (PATH "shipped": the package weights)')
p.add_argument('--clips', type=int, default=16)
p.add_argument('--device', default='cpu')
a = p.parse_args()
videos = list(open_dataset(a.data, split='val'))
scorer = Scorer(fid=False, device=a.device)
rows = []
for spec in a.vae:
    name, path = spec.split('=', 1)
    t0 = time.time()
    vae = load_vae(Path(__file__).parents[1] / 'memory_video/weights/vae_small.safetensors' if path == 'shipped'
                   else path, 'small', a.device).eval()
    with torch.no_grad():
        ev = evaluate_vae(vae, videos, clips_per_video=a.clips, clip_len=9, device=a.device)
        # LPIPS on the same clips (evaluate_vae's draw: seed 0, the same for every VAE)
        g = torch.Generator().manual_seed(0)
        lp = []
        for v in videos:
            for t in torch.randint(0, v.n_frames - 9 + 1, (a.clips,), generator=g).tolist():
                real = v.frames(torch.arange(t, t + 9))
                rec = to_uint8(vae.decode(vae.encode(to_clip_tensor(real[None]).to(a.device))).float().cpu())[0]
                lp.append(scorer.frames(rec, real)['lpips'])
    rows.append(dict(name=name, path=path, extra={k: v for k, v in (vae.extra or {}).items() if k != 'heldout'},
                     lpips=float(torch.cat(lp).mean()), **ev, seconds=time.time() - t0))
    print(f"{name:<24} PSNR {ev['psnr']:.2f} dB  SSIM {ev['ssim']:.4f}  LPIPS {rows[-1]['lpips']:.4f}  "
          f"sharpness {ev['sharpness']:.3f}", flush=True)
cmd = f"python tools/vae_compare.py OUT --data {a.data} --vae {' '.join(a.vae)} --clips {a.clips} --device {a.device}"
print('saved', save_result(Path(a.out) / 'vae_compare.json', dict(data=a.data, rows=rows), provenance(a.device, cmd)))
