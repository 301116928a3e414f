#!/usr/bin/env python3
"""Slim MiniWorld wheel for the device machine: only the assets `memory_video.worlds` can use, losslessly re-encoded,
mesh/portrait textures downscaled only where the rendered frames stay bit-identical.

    python tools/slim_miniworld.py build                # .whl/miniworld-2.1.0-py3-none-any.whl from the original
    python tools/slim_miniworld.py verify               # render original vs slim (64 and 128 px), write the result JSON
    python tools/slim_miniworld.py search               # try mesh/portrait downscale factors; keeps bit-identical ones
    python tools/slim_miniworld.py render OUT.npz       # (internal) render the test poses with the miniworld on the path

The original wheel is kept in `data/cache/miniworld-full/` (git-ignored and outside `.whl/`, so it is not carried to
the device machine); `build` moves it there from `.whl/` the first time (tools/device_prepare.sh downloads it).

What the renderer can use (computed from memory_video.worlds' lists, not by sampling seeds):
- room textures: `textures/<name>_1.png` for every name in WALL/FLOOR/CEIL_TEXTURES (MiniWorld's `Texture.get` takes
  `_1` when not domain-randomised, and `SpecEnv` passes `domain_rand=False`). They stay full size: MiniWorld maps
  walls/floors at `TEX_DENSITY / tex.width` so a smaller image would tile differently.
- every portrait in `textures/portraits/` (`portrait_names()` globs them and `make_world` draws from that list, so
  dropping any would change the worlds).
- meshes in LANDMARK_MESHES and MOVER_MESHES: `.obj`, `.mtl`, the default `<name>.png` and any `map_Kd` texture.
Everything else under `miniworld/textures/` and `miniworld/meshes/` is dropped; all code and metadata are kept and
RECORD is regenerated.

Lossless re-encoding: MiniWorld uploads textures as `GL_RGB`, so alpha never reaches a frame and is dropped; images
with <= 256 colours are stored as palette PNGs and grey ones as `L`; the decoded RGB is checked identical.
"""
from __future__ import annotations
import argparse, base64, csv, hashlib, io, json, os, shutil, subprocess, sys, time, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = 'miniworld-2.1.0-py3-none-any.whl'
FULL = ROOT / 'data' / 'cache' / 'miniworld-full' / NAME
SLIM = ROOT / '.whl' / NAME
RESULT = ROOT / 'data' / 'results' / 'slim_miniworld.json'
# Downscale factors (exact 2x box steps) found bit-identical by `search` at 64 and 128 px; 1 = full size.
DEFAULT_FACTORS = {'mesh': 1, 'portrait': 1}
# None is: mesh textures sampled from <= 2 m and portraits from 0.4 m use mip level 0 (e.g. mesh 2x: max diff 70 at
# 64 px, portrait 2x: 84), and room textures cannot shrink at all (MiniWorld scales their coordinates by the size).
PKG = 'miniworld/'


def _log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# which assets


def used_assets(names: list[str]) -> dict[str, str]:
    "Wheel paths (under miniworld/textures and miniworld/meshes) the renderer can load -> kind ('room', 'portrait', 'mesh')."
    sys.path.insert(0, str(ROOT))
    from memory_video import worlds as W  # the lists only; MiniWorld is not imported

    have = set(names)
    keep = {}
    for t in sorted(set(W.WALL_TEXTURES) | set(W.FLOOR_TEXTURES) | set(W.CEIL_TEXTURES) | {'concrete', 'floor_tiles_bw',
                                                                                           'ceiling_tiles', 'concrete_tiles'}):
        p = f'{PKG}textures/{t}_1.png'
        if p not in have:
            raise SystemExit(f'room texture {t!r}: {p} not in the wheel')
        keep[p] = 'room'
    for p in names:
        if p.startswith(f'{PKG}textures/portraits/') and p.endswith('.png'):
            keep[p] = 'portrait'
    for m in sorted(set(W.LANDMARK_MESHES) | set(W.MOVER_MESHES)):
        obj = f'{PKG}meshes/{m}.obj'
        if obj not in have:
            raise SystemExit(f'mesh {m!r}: {obj} not in the wheel')
        keep[obj] = 'mesh-data'
        for ext in ('.mtl', '.png'):
            if f'{PKG}meshes/{m}{ext}' in have:
                keep[f'{PKG}meshes/{m}{ext}'] = 'mesh-data' if ext == '.mtl' else 'mesh'
    return keep


def _mtl_textures(zf: zipfile.ZipFile, keep: dict) -> None:
    "Add the `map_Kd` textures of kept .mtl files."
    for p in list(keep):
        if p.endswith('.mtl'):
            for line in zf.read(p).decode().splitlines():
                tok = line.split()
                if tok and tok[0] == 'map_Kd':
                    keep[f'{PKG}meshes/{tok[-1]}'] = 'mesh'


# ---------------------------------------------------------------------------------------------------------------
# images


def _rgb(data: bytes):
    "RGB pixels as the renderer sees them (memory_video's loader: PIL -> RGBA, uploaded as GL_RGB)."
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert('RGBA'))[..., :3]


def _encode(rgb) -> bytes:
    "Smallest lossless PNG of an RGB array (RGB, L or exact palette)."
    import numpy as np
    from PIL import Image

    im = Image.fromarray(rgb, 'RGB')
    cands = [im]
    if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 0] == rgb[..., 2]).all():
        cands.append(Image.fromarray(np.ascontiguousarray(rgb[..., 0]), 'L'))
    cols = np.unique(rgb.reshape(-1, 3), axis=0)
    if len(cols) <= 256:
        idx = {tuple(c): i for i, c in enumerate(cols.tolist())}
        key = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]
        ck = (cols[:, 0].astype(np.int64) << 16) | (cols[:, 1].astype(np.int64) << 8) | cols[:, 2]
        pim = Image.fromarray(np.searchsorted(ck, key).astype(np.uint8), 'P')
        pim.putpalette(cols.astype(np.uint8).reshape(-1).tolist())
        cands.append(pim)
    best = None
    for c in cands:
        b = io.BytesIO()
        c.save(b, 'PNG', optimize=True)
        b = b.getvalue()
        if best is None or len(b) < len(best):
            best = b
    assert (_rgb(best) == rgb).all()
    return best


def _downscale(rgb, factor: int):
    "`factor` (a power of 2) in exact 2x box steps with rounding, as mipmap generation does; None if not exact."
    import numpy as np

    a = rgb.astype(np.uint16)
    f = factor
    while f > 1:
        h, w = a.shape[:2]
        if h % 2 or w % 2:
            return None
        a = (a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2] + 2) // 4
        f //= 2
    return a.astype(np.uint8)


_CACHE = {}


def transform(data: bytes, factor: int = 1) -> tuple[bytes, dict]:
    "Re-encode a texture losslessly (and downscale it by `factor` when exact); returns the bytes kept and a note."
    key = (hashlib.sha256(data).hexdigest(), factor)
    if key not in _CACHE:
        _CACHE[key] = _transform(data, factor)
    return _CACHE[key]


def _transform(data: bytes, factor: int) -> tuple[bytes, dict]:
    rgb = _rgb(data)
    note = dict(size=list(rgb.shape[1::-1]))
    if factor > 1:
        small = _downscale(rgb, factor)
        if small is not None:
            rgb = small
            note['scaled_to'] = list(rgb.shape[1::-1])
    new = _encode(rgb)
    if 'scaled_to' not in note and len(new) >= len(data):
        return data, note  # the original is already smaller
    return new, note


# ---------------------------------------------------------------------------------------------------------------
# wheel


def _record_hash(data: bytes) -> str:
    return 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()


def ensure_full() -> Path:
    "The original wheel, moved from .whl/ to data/cache/miniworld-full/ the first time."
    if FULL.exists():
        return FULL
    if not SLIM.exists():
        raise SystemExit(f'no original wheel: run tools/device_prepare.sh (or pip download miniworld==2.1.0) first')
    with zipfile.ZipFile(SLIM) as z:
        if 'miniworld/textures/door_doom_1.png' not in z.namelist():
            raise SystemExit(f'{SLIM} is already slim and {FULL} is missing: delete it and download it again')
    FULL.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(SLIM, FULL)
    _log(f'moved the original wheel to {FULL.relative_to(ROOT)}')
    return FULL


def build(out: Path = SLIM, factors: dict | None = None, src: Path | None = None) -> dict:
    "Write the slim wheel to `out`; returns what was kept/dropped/changed."
    factors = {**DEFAULT_FACTORS, **(factors or {})}
    src = src or ensure_full()
    with zipfile.ZipFile(src) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        keep = used_assets(names)
        _mtl_textures(zf, keep)
        record = next(n for n in names if n.endswith('.dist-info/RECORD'))
        rows, dropped, kept, notes = [], [], [], {}
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix('.tmp')
        with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as zo:
            for info in infos:
                n = info.filename
                if n == record or n.endswith('/'):
                    continue
                asset = n.startswith((f'{PKG}textures/', f'{PKG}meshes/'))
                if asset and n not in keep:
                    dropped.append(n)
                    continue
                data = zf.read(n)
                if asset and n.endswith('.png'):
                    kind = keep[n]
                    f = factors['portrait'] if kind == 'portrait' else factors['mesh'] if kind == 'mesh' else 1
                    data, note = transform(data, f)
                    notes[n] = {**note, 'kind': kind, 'bytes': [info.file_size, len(data)]}
                if asset:
                    kept.append(n)
                zi = zipfile.ZipInfo(n, date_time=info.date_time)
                zi.external_attr, zi.compress_type = info.external_attr, zipfile.ZIP_DEFLATED
                zo.writestr(zi, data)
                rows.append([n, _record_hash(data), str(len(data))])
            rows.append([record, '', ''])
            b = io.StringIO()
            csv.writer(b, lineterminator='\n').writerows(rows)
            zi = zipfile.ZipInfo(record, date_time=zf.getinfo(record).date_time)
            zi.external_attr, zi.compress_type = zf.getinfo(record).external_attr, zipfile.ZIP_DEFLATED
            zo.writestr(zi, b.getvalue())
        os.replace(tmp, out)
    return dict(
        wheel_bytes_before=src.stat().st_size,
        wheel_bytes_after=out.stat().st_size,
        factors=factors,
        n_assets_kept=len(kept),
        n_assets_dropped=len(dropped),
        kept=kept,
        dropped=dropped,
        textures=notes,
    )


# ---------------------------------------------------------------------------------------------------------------
# rendering test (runs in a child process with one miniworld on the path)

SEEDS = [(0, 'open'), (1, 'rooms'), (2, 'open'), (3, 'rooms'), (4, 'open'), (5, 'rooms'), (6, 'open'), (7, 'rooms')]
SIZES = (64, 128)


def test_poses(spec, rng):
    "Poses covering portraits close up, meshes, walls close up (0.3 m, the tours' clearance), and random views."
    import math
    import numpy as np

    P = []
    for lm in spec.landmarks:
        if lm.kind == 'portrait':
            for d in (0.4, 0.8, 1.6):
                P.append([lm.x + d * math.cos(lm.yaw), lm.y + d * math.sin(lm.yaw), lm.yaw + math.pi])
        else:
            for d, a in ((1.2, 0.0), (2.0, 2.1), (1.0, -2.1)):
                P.append([lm.x + d * math.cos(a), lm.y + d * math.sin(a), a + math.pi])
    for r in spec.rooms:
        cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
        for x, y, yaw in ((r.x0 + 0.3, cy, math.pi), (r.x1 - 0.3, cy, 0.0), (cx, r.y0 + 0.3, -math.pi / 2),
                          (cx, r.y1 - 0.3, math.pi / 2), (r.x0 + 0.5, r.y0 + 0.5, -3 * math.pi / 4)):
            P.append([x, y, yaw + float(rng.uniform(-0.3, 0.3))])
        for _ in range(4):
            P.append([rng.uniform(r.x0 + 0.5, r.x1 - 0.5), rng.uniform(r.y0 + 0.5, r.y1 - 0.5), rng.uniform(-math.pi, math.pi)])
    for m in spec.movers:  # look at each mover from 1 m at a few times
        for t in (0.0, 3.0):
            (x, y), = m.position([t])
            P.append([x + 1.0, y, math.pi])
    return np.asarray(P, dtype=np.float64)


def render(out: Path) -> None:
    import numpy as np
    import torch

    sys.path.insert(0, str(ROOT))
    from memory_video.worlds import make_world, WorldRenderer, _assets

    arrays = {}
    for seed, layout in SEEDS:
        spec = make_world(seed, layout, n_movers=2)
        rng = np.random.default_rng(1000 + seed)
        poses = test_poses(spec, rng)
        times = np.linspace(0, 3.0, len(poses))
        for s in SIZES:
            r = WorldRenderer(spec, s, s)
            rgb, _ = r.render(torch.from_numpy(poses), times=times, depth=False)
            r.close()
            arrays[f'{seed}_{layout}_{s}'] = rgb
    arrays['_assets'] = np.array(str(_assets()))
    np.savez_compressed(out, **arrays)


def _install(wheel: Path, site: Path) -> None:
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-index', '--no-deps', '--no-compile',
                    '--target', str(site), str(wheel)], check=True)


def _render_with(site: Path, out: Path) -> None:
    env = {**os.environ, 'PYTHONPATH': f'{site}:{ROOT}'}
    subprocess.run([sys.executable, __file__, 'render', str(out)], check=True, env=env)


def compare(a_path: Path, b_path: Path) -> dict:
    import numpy as np

    a, b = np.load(a_path), np.load(b_path)
    assert str(a['_assets']) != str(b['_assets']), 'both renders used the same miniworld'
    res = {}
    for s in SIZES:
        keys = [k for k in a.files if k.endswith(f'_{s}')]
        n = sum(len(a[k]) for k in keys)
        diff = [np.abs(a[k].astype(np.int16) - b[k].astype(np.int16)) for k in keys]
        res[f'{s}x{s}'] = dict(
            frames=int(n),
            max_abs_diff=int(max(d.max() for d in diff)),
            frac_pixels_differing=float(sum((d.max(-1) > 0).sum() for d in diff) / sum(d[..., 0].size for d in diff)),
            frames_differing=int(sum((d.reshape(len(d), -1).max(1) > 0).sum() for d in diff)),
        )
    return res


def _reference(tmp: Path) -> Path:
    "Renders with the original wheel (cached by the wheel's and this file's mtime)."
    ref = tmp / 'full.npz'
    stamp = tmp / 'full.stamp'
    key = f'{FULL.stat().st_mtime}-{Path(__file__).stat().st_mtime}'
    if not (ref.exists() and stamp.exists() and stamp.read_text() == key):
        _install(ensure_full(), tmp / 'full_site')
        _render_with(tmp / 'full_site', ref)
        stamp.write_text(key)
    return ref


def verify(tmp: Path, factors: dict | None = None, wheel: Path = SLIM, build_info: dict | None = None) -> dict:
    t0 = time.time()
    ref = _reference(tmp)
    _install(wheel, tmp / 'slim_site')
    _render_with(tmp / 'slim_site', tmp / 'slim.npz')
    res = compare(ref, tmp / 'slim.npz')
    _log(json.dumps(res), f'{time.time() - t0:.0f}s')
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cmd', choices=['build', 'verify', 'search', 'render'])
    ap.add_argument('out', nargs='?')
    ap.add_argument('--mesh-factor', type=int)
    ap.add_argument('--portrait-factor', type=int)
    ap.add_argument('--tmp', default='/tmp/slim_miniworld')
    a = ap.parse_args()
    tmp = Path(a.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    factors = {k: v for k, v in (('mesh', a.mesh_factor), ('portrait', a.portrait_factor)) if v}
    if a.cmd == 'render':
        return render(Path(a.out))
    if a.cmd == 'build':
        info = build(factors=factors)
        _log(f"{SLIM.relative_to(ROOT)}: {info['wheel_bytes_before'] / 2**20:.1f} MiB -> "
             f"{info['wheel_bytes_after'] / 2**20:.2f} MiB ({info['n_assets_kept']} assets kept, "
             f"{info['n_assets_dropped']} dropped)")
        return
    if a.cmd == 'search':  # each kind on its own, the others at full size
        out = {}
        for kind in ('mesh', 'portrait'):
            for f in (8, 4, 2):
                w = tmp / f'{kind}{f}.whl'
                build(w.with_name(NAME), {kind: f, **{k: 1 for k in DEFAULT_FACTORS if k != kind}})
                res = verify(tmp, wheel=w.with_name(NAME))
                out[f'{kind}:{f}'] = res
                _log(kind, f, res)
                if all(r['max_abs_diff'] == 0 for r in res.values()):
                    break
        print(json.dumps(out, indent=1))
        (tmp / 'search.json').write_text(json.dumps(out))  # `verify` copies it into the result file
        return
    # verify: build the slim wheel and compare its frames with the original's; write the result file
    info = build(factors=factors)
    res = verify(tmp)
    sys.path.insert(0, str(ROOT))
    from memory_video.runtime import save_result, provenance

    results = dict(
        wheel=str(SLIM.relative_to(ROOT)),
        wheel_mib_before=round(info['wheel_bytes_before'] / 2**20, 3),
        wheel_mib_after=round(info['wheel_bytes_after'] / 2**20, 3),
        **{k: info[k] for k in ('wheel_bytes_before', 'wheel_bytes_after', 'factors', 'n_assets_kept', 'n_assets_dropped')},
        worlds=[f'make_world({s}, {l!r}, n_movers=2)' for s, l in SEEDS],
        renderer='WorldRenderer(spec, S, S).render(poses, times, depth=False), Mesa llvmpipe (CPU)',
        comparison=res,
        downscale_search=dict(
            note='`search`: each kind downscaled on its own by 8, 4, 2 (2x box steps as mipmaps are made), others full size; '
            'a factor is adopted only if frames are bit-identical at 64 and 128 px',
            results=json.loads((tmp / 'search.json').read_text()) if (tmp / 'search.json').exists() else None,
        ),
        identical=all(r['max_abs_diff'] == 0 for r in res.values()),
        kept=info['kept'],
        textures=info['textures'],
        dropped=info['dropped'],
    )
    cmd = 'python tools/slim_miniworld.py verify' + ''.join(f' --{k}-factor {v}' for k, v in factors.items())
    save_result(RESULT, results, provenance('cpu', cmd))
    _log(f'wrote {RESULT.relative_to(ROOT)}')


if __name__ == '__main__':
    main()
