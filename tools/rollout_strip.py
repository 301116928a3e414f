"""A strip of a rollout: the truth over each generated row, every 32 frames, from the examples_tour_<i>.npz that
tools/gpu_rollouts.py writes.    python tools/rollout_strip.py EXAMPLES.npz OUT.png"""
import sys, textwrap, numpy as np
from PIL import Image, ImageDraw
z = np.load(sys.argv[1]); out = sys.argv[2]
keys = list(z.keys()); print(keys)
real = z[[k for k in keys if k.endswith('__real')][0]]
gen_keys = [k for k in keys if not k.endswith(('__real', '__poses'))]
every, S = 32, 2
idx = list(range(0, len(real), every))
rows = [('truth', real)] + [(k.split('__')[-1].replace('_', ' '), z[k]) for k in gen_keys]
h, w = real.shape[1:3]
W, H = 90 + len(idx) * (w * S + 4), 18 + len(rows) * (h * S + 4)
img = Image.new('RGB', (W, H), 'white'); d = ImageDraw.Draw(img)
for j, i in enumerate(idx):
    d.text((90 + j * (w * S + 4), 3), f'frame {i}', fill='black')
for r, (name, fr) in enumerate(rows):
    y = 18 + r * (h * S + 4)
    lines = textwrap.wrap(name, 14)[:4]  # a long name over up to four lines beside its row
    for k, line in enumerate(lines):
        d.text((2, y + h * S // 2 - 6 * len(lines) + 12 * k), line, fill='black')
    for j, i in enumerate(idx):
        img.paste(Image.fromarray(fr[i]).resize((w * S, h * S), Image.NEAREST), (90 + j * (w * S + 4), y))
img.save(out); print(out, img.size)
