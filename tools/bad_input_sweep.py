"""Bad inputs to every CLI entry point, each run as `python -m memory_video ...` in a subprocess with a timeout.

Each row is classified:
- clear: exit status 2 and one line (argparse's usage lines aside) that holds the expected text (the argument's name);
- traceback: 'Traceback' anywhere in stdout or stderr;
- unclear: any other refusal (another exit status, several lines, or a line that does not name the argument);
- silent: exit status 0 (every row is a bad input that should be refused);
- hang: still running after the timeout.

Writes data/results/bad_input_sweep.json (rows, counts, provenance) and prints the counts.
Usage: `python tools/bad_input_sweep.py [--jobs 2] [--timeout 60] [--only CMD] [--out PATH]`
"""
import argparse, json, os, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (argv after `memory_video`, text the one-line error must hold). `{name}` fields are filled from `fixtures()`.
ROWS = [
    # generate
    ('generate --trajectory zigzag --model {tinym}', '--trajectory'),
    ('generate --trajectory "" --model {tinym}', '--trajectory'),
    ('generate --strategy magic --model {tinym}', '--strategy'),
    ('generate --strategy "" --model {tinym}', '--strategy'),
    ('generate --model huge', '--model'),
    ('generate --model ""', '--model'),
    ('generate --model {missing}.safetensors', '--model'),
    ('generate --model {afile} --out {tmp}/g1', '--model'),
    ('generate --model {tmp} --out {tmp}/g2', '--model'),
    ('generate --model {truncated} --out {tmp}/g3', '--model'),
    ('generate --model {nanm} --out {tmp}/g4 --no-compare --quiet --steps 1', 'NaN'),
    ('generate --model {vae} --out {tmp}/g5', '--model'),
    ('generate --model {tinym} --steps 0', '--steps'),
    ('generate --model {tinym} --steps -3', '--steps'),
    ('generate --model {tinym} --steps x', '--steps'),
    ('generate --model {tinym} --steps 1.5', '--steps'),
    ('generate --model {tinym} --steps 1000000', '--steps'),
    ('generate --model {tinym} --scene 9', '--scene'),
    ('generate --model {tinym} --scene -1', '--scene'),
    ('generate --model {tinym} --scene x', '--scene'),
    ('generate --model {tinym} --device bogus', '--device'),
    ('generate --model {tinym} --device cuda:7', '--device'),
    ('generate --model {tinym} --out {ro}', 'cannot write'),
    ('generate --model {tinym} --out {afile}', '--out'),
    ('generate --model {tinym} --out ""', '--out'),
    ('generate --model {tinym} --seed -1', '--seed'),
    ('generate --model {tinym} --seed x', '--seed'),
    ('generate --model {tinym} --seed 1.5', '--seed'),
    ('generate --bogus', 'unrecognized arguments'),
    # eval
    ('eval', '--table'),
    ('eval --table 9 --out ""', '--table'),
    ('eval --table x --out ""', '--table'),
    ('eval --table 0 --out ""', '--table'),
    ('eval --table "" --out ""', '--table'),
    ('eval --table 1 --models {missing} --out ""', '--models'),
    ('eval --table 1 --models {afile} --out ""', '--models'),
    ('eval --table 1 --models {tmp}/empty_models --out ""', '--models'),
    ('eval --table 1 --size huge --out ""', '--size'),
    ('eval --table 1 --scenes 0 --out ""', '--scenes'),
    ('eval --table 1 --scenes -1 --out ""', '--scenes'),
    ('eval --table 1 --scenes x --out ""', '--scenes'),
    ('eval --table 1 --seeds 0 --out ""', '--seeds'),
    ('eval --table 1 --seeds -2 --out ""', '--seeds'),
    ('eval --table 1 --targets 0 --out ""', '--targets'),
    ('eval --table 1 --angles 0 --out ""', '--angles'),
    ('eval --table 1 --angles nan --out ""', '--angles'),
    ('eval --table 1 --angles 100000 --out ""', '--angles'),
    ('eval --table 1 --angles 60 60 --out ""', '--angles'),
    ('eval --table 1 --angles --out ""', '--angles'),
    ('eval --table revisit --kinds nope --out ""', '--kinds'),
    ('eval --table revisit --kinds loop loop --out ""', '--kinds'),
    ('eval --table 1 --methods nope --out ""', '--methods'),
    ('eval --table 1 --methods cam cam --out ""', '--methods'),
    ('eval --table 1 --methods --out ""', '--methods'),
    ('eval --table 2 --ks 0 --out ""', '--ks'),
    ('eval --table 2 --ks -1 --out ""', '--ks'),
    ('eval --table 2 --ks 4 4 --out ""', '--ks'),
    ('eval --table 3 --strategies magic --out ""', '--strategies'),
    ('eval --table 3 --strategies recent recent --out ""', '--strategies'),
    ('eval --table 1 --strategies recent --out ""', '--strategies'),
    ('eval --table 1 --steps 0 --out ""', '--steps'),
    ('eval --table 1 --steps 1000000 --out ""', '--steps'),
    ('eval --table 1 --batch 0 --out ""', '--batch'),
    ('eval --table 1 --batch -4 --out ""', '--batch'),
    ('eval --table 1 --device bogus --out ""', '--device'),
    ('eval --table 1 --device cuda:7 --out ""', '--device'),
    ('eval --table 1 --fid-frames 0 --out ""', '--fid-frames'),
    ('eval --table 1 --fvd-clips -1 --out ""', '--fvd-clips'),
    ('eval --table 1 --metrics-cache {afile} --out ""', '--metrics-cache'),
    ('eval --table 1 --metrics-cache {ro}', '--metrics-cache'),
    ('eval --table 1 --out {ro}', 'cannot write'),
    ('eval --table 1 --out {afile}', '--out'),
    ('eval --table 1 --worlds {afile} --out ""', '--worlds'),
    ('eval --table 1 --worlds {ro} --out ""', '--worlds'),
    # train (LightningCLI)
    ('train --config nope', 'nope'),
    ('train --config ""', 'config'),
    ('train --bogus-option 1', 'bogus'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c1 --trainer.max_steps -5', 'max_steps'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c2 --trainer.max_steps x', 'max_steps'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c3 --trainer.max_time 2h', 'max_time'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c4 --trainer.accelerator gpu', 'accelerator'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c5 --trainer.accelerator bogus', 'accelerator'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c6 --ckpt_path {missing}.ckpt', 'ckpt_path'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c7 --ckpt_path {afile}', 'ckpt_path'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c8 --trainer.default_root_dir {ro}', 'cannot write'),
    ('train --config tiny_cam --data.data {ds} --data.cache {ro}', 'cannot write'),
    ('train --config tiny_cam --data.data {missing} --data.cache {tmp}/c9', '--data.data'),
    ('train --config tiny_cam --data.data {afile} --data.cache {tmp}/c10', 'data'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c11 --data.batch_size 0', 'batch_size'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c12 --data.batch_size -1', 'batch_size'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c13 --data.seg_frames 0', 'seg_frames'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c14 --data.clip_stride 0', 'clip_stride'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c15 --model.lr -1', 'lr'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c16 --model.lr nan', 'lr'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c17 --model.variant nope', 'variant'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c18 --model.size huge', 'size'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c19 --model.ema_decay 2', 'ema_decay'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c20 --model.warmup -1', 'warmup'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c21 --model.context_drop 1.5', 'context_drop'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c22 --data.vae {missing}.safetensors', 'vae'),
    ('train --config tiny_cam --data.data {ds} --data.cache {tmp}/c23 --data.vae {afile}', 'vae'),
    ('train --config tiny_cam --data.data {cam} --data.cache {tmp}/c24', 'data'),
    # train-all
    ('train-all --size huge', '--size'),
    ('train-all --size ""', '--size'),
    ('train-all --variants nope', '--variants'),
    ('train-all --variants cam cam', '--variants'),
    ('train-all --variants', '--variants'),
    ('train-all --max-steps 0', '--max-steps'),
    ('train-all --max-steps -1', '--max-steps'),
    ('train-all --max-steps x', '--max-steps'),
    ('train-all --max-time 2h', '--max-time'),
    ('train-all --max-time 00:00:00:00', '--max-time'),
    ('train-all --root {afile}', 'is a file'),
    ('train-all --root {ro}', 'cannot write'),
    # train-vae
    ('train-vae --batch 0 --data {ds}', '--batch'),
    ('train-vae --batch -1 --data {ds}', '--batch'),
    ('train-vae --minutes -1 --data {ds}', '--minutes'),
    ('train-vae --minutes 0 --data {ds}', '--minutes'),
    ('train-vae --minutes nan --data {ds}', '--minutes'),
    ('train-vae --minutes inf --data {ds}', '--minutes'),
    ('train-vae --config huge --data {ds}', '--config'),
    ('train-vae --clip-len 8 --data {ds}', '--clip-len'),
    ('train-vae --clip-len 0 --data {ds}', '--clip-len'),
    ('train-vae --lr 0 --data {ds}', '--lr'),
    ('train-vae --lr nan --data {ds}', '--lr'),
    ('train-vae --eval-clips 0 --data {ds}', '--eval-clips'),
    ('train-vae --data {missing}', 'no such folder'),
    ('train-vae --data {afile}', '--data'),
    ('train-vae --data {worlds}', 'unknown dataset layout'),
    ('train-vae --data {cam} --out {tmp}/r', 'no train/val split'),
    ('train-vae --data {ds} --config tiny --checkpoint {ro}/w.safetensors', '--checkpoint'),
    ('train-vae --data {ds} --config tiny --out {ro}/run', 'cannot write'),
    ('train-vae --data {ds} --config tiny --out {garbage_run}', 'not a readable Lightning checkpoint'),
    ('train-vae --data {ds} --config tiny --init {afile}', '--init'),
    ('train-vae --data {ds} --config tiny --init {missing}.safetensors', '--init'),
    ('train-vae --data {ds} --config tiny --init {tinym}', '--init'),
    ('train-vae --data {ds} --config tiny --results {afile}', '--results'),
    ('train-vae --data {ds} --config tiny --results {ro}', 'cannot write'),
    # render
    ('render --videos 99 --out {tmp}', '--videos'),
    ('render --videos -1 --out {tmp}', '--videos'),
    ('render --videos x --out {tmp}', '--videos'),
    ('render --videos 0 0 --out {tmp}', '--videos'),
    ('render --videos --out {tmp}', '--videos'),
    ('render --config huge --out {tmp}', '--config'),
    ('render --config "" --out {tmp}', '--config'),
    ('render --device bogus --out {tmp}', '--device'),
    ('render --device cuda:7 --out {tmp}', '--device'),
    ('render --out {ro}', 'cannot write'),
    ('render --out {afile}', '--out'),
    ('render --out ""', '--out'),
    ('render --results {afile} --out {tmp}', 'is a file'),
    ('render --results {ro} --out {tmp}', 'cannot write'),
    # bench
    ('bench nonsense', "unknown benchmark 'nonsense'"),
    ('bench geometry geometry --out ""', 'geometry'),
    ('bench geometry --sizes 100000 --out ""', '--sizes'),
    ('bench geometry --sizes 0 --out ""', '--sizes'),
    ('bench geometry --sizes -5 --out ""', '--sizes'),
    ('bench geometry --sizes many', '--sizes'),
    ('bench geometry --repeats 0 --out ""', '--repeats'),
    ('bench geometry --repeats -1 --out ""', '--repeats'),
    ('bench geometry --threads -1 --out ""', '--threads'),
    ('bench geometry --threads x --out ""', '--threads'),
    ('bench render --frames 0 --out ""', '--frames'),
    ('bench geometry --device bogus --out ""', '--device'),
    ('bench geometry --device cuda:7 --out ""', '--device'),
    ('bench geometry --out {ro}', 'cannot write'),
    ('bench geometry --out {afile}', 'is a file'),
    ('bench geometry --update-results --out {tmp}', '--update-results'),
    ('bench generate --model huge --out ""', '--model'),
    ('bench generate --model {afile} --out ""', '--model'),
    ('bench generate --model {tinym} --steps 0 --out ""', '--steps'),
    ('bench generate --model {tinym} --steps 1000000 --out ""', '--steps'),
    # retrieval
    ('retrieval', 'required'),
    ('retrieval {ds} --k 0', '--k'),
    ('retrieval {ds} --k -1', '--k'),
    ('retrieval {ds} --k x', '--k'),
    ('retrieval {ds} --k 100000', '--k'),
    ('retrieval {ds} --targets 0', '--targets'),
    ('retrieval {ds} --targets -3', '--targets'),
    ('retrieval {cam}', 'Context-as-Memory layout'),
    ('retrieval {missing}', 'no such folder'),
    ('retrieval {afile}', 'a file; expected a dataset folder'),
    ('retrieval {worlds}', 'unknown dataset layout'),
    ('retrieval {ds} --out {ro}', 'cannot write'),
    ('retrieval {ds} --out {afile}', 'is a file'),
    # fov-rules
    ('fov-rules', 'required'),
    ('fov-rules {missing}', 'no such folder'),
    ('fov-rules {afile}', 'data'),
    ('fov-rules {ds} --tau nan', '--tau'),
    ('fov-rules {ds} --tau -1', '--tau'),
    ('fov-rules {ds} --tau x', '--tau'),
    ('fov-rules {ds} --area-threshold 2', '--area-threshold'),
    ('fov-rules {ds} --area-threshold 0', '--area-threshold'),
    ('fov-rules {ds} --area-threshold -0.5', '--area-threshold'),
    ('fov-rules {cam}', 'has no depth'),
    ('fov-rules {ds} --out {afile}', 'is a file'),
    ('fov-rules {ds} --out {ro}', 'cannot write'),
    # no command
    ('nonsense', 'invalid choice'),
]


def fixtures(tmp: Path) -> dict:
    "Tiny inputs the rows point at: a rendered `tiny` dataset, a camera-format dataset, models good and bad."
    import dataclasses, shutil
    import torch
    from memory_video import datasets as D, cam_dataset as C
    from memory_video.dit import DIT_CONFIGS, MemoryDiT, save_dit
    afile = tmp / 'a_file'
    afile.write_text('x')
    model = MemoryDiT(dataclasses.replace(DIT_CONFIGS['tiny'], memory='cam', latent=16))
    tinym = save_dit(model, tmp / 'tiny_cam.safetensors')
    with torch.no_grad():
        next(model.parameters()).view(-1)[:64] = float('nan')
    nanm = save_dit(model, tmp / 'nan_cam.safetensors')
    truncated = tmp / 'truncated.safetensors'
    truncated.write_bytes(Path(tinym).read_bytes()[:500])
    garbage_run = tmp / 'garbage_run'
    garbage_run.mkdir()
    (garbage_run / 'last.ckpt').write_bytes(b'not a checkpoint')
    (tmp / 'empty_models').mkdir()
    ds = D.render_dataset('tiny', tmp / 'worlds', progress=False)
    cam = C.write_cam_fixture(tmp / 'cam', n_frames=9, width=16, height=16)
    vae = ROOT / 'memory_video' / 'weights' / 'vae_small.safetensors'
    return dict(tmp=tmp, afile=afile, tinym=tinym, nanm=nanm, truncated=truncated, garbage_run=garbage_run, ds=ds,
                worlds=tmp / 'worlds', cam=cam, vae=vae, missing=tmp / 'nowhere', ro='/proc/memory_video_test')


def classify(rc, out: str, expected: str) -> str:
    if rc is None: return 'hang'
    if 'Traceback' in out: return 'traceback'
    if rc == 0: return 'silent'
    lines, usage = [], False
    for line in out.splitlines():
        if line.startswith('usage:'): usage = True; continue
        if usage and line.startswith(' '): continue
        usage = False
        if line.strip(): lines.append(line)
    return 'clear' if rc == 2 and len(lines) == 1 and expected.lower() in lines[0].lower() else 'unclear'


def run_row(row, fx, timeout, cwd):
    import shlex
    args, expected = row
    argv = shlex.split(args.format(**fx))
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', CUDA_VISIBLE_DEVICES='')
    t0 = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, '-m', 'memory_video', *argv], capture_output=True, text=True, env=env,
                           timeout=timeout, cwd=cwd)
        rc, out = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out = None, ((e.stdout or b'') + (e.stderr or b'')).decode(errors='replace')
    seconds = time.perf_counter() - t0
    outcome = classify(rc, out, expected)
    tail = out.strip().splitlines()[-1] if out.strip() else ''
    return dict(command=args.split(' ')[0] if args else '', args=args, expected=expected, outcome=outcome, rc=rc,
                seconds=round(seconds, 2), message=tail[:300], output=out[-2000:] if outcome != 'clear' else '')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--timeout', type=float, default=60)
    ap.add_argument('--only', default=None, help='only rows of this command')
    ap.add_argument('--out', default=str(ROOT / 'data' / 'results' / 'bad_input_sweep.json'), help="'' : no file")
    a = ap.parse_args()
    from memory_video.runtime import provenance, save_result
    rows = [r for r in ROWS if a.only is None or r[0].split(' ')[0] == a.only]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        fx = {k: str(v) for k, v in fixtures(tmp).items()}
        cwd = tmp / 'cwd'
        cwd.mkdir()  # runs that write to default folders write here, not into the repository
        with ThreadPoolExecutor(a.jobs) as ex:
            results = list(ex.map(lambda r: run_row(r, fx, a.timeout, cwd), rows))
        for r in results:  # temporary paths are not worth keeping
            r['message'] = r['message'].replace(d, '$TMP')
            r['output'] = r['output'].replace(d, '$TMP')
    counts = {k: sum(r['outcome'] == k for r in results) for k in ('clear', 'traceback', 'unclear', 'silent', 'hang')}
    by_command = {}
    for r in results:
        by_command.setdefault(r['command'], {}).setdefault(r['outcome'], 0)
        by_command[r['command']][r['outcome']] += 1
    for r in results:
        if r['outcome'] != 'clear':
            print(f"{r['outcome']:9s} rc={r['rc']} {r['args']}\n          -> {r['message'][:200]}")
    print(f'{len(results)} bad inputs in {time.perf_counter() - t0:.0f} s:', counts)
    if a.out:
        save_result(a.out, dict(rows=results, counts=counts, by_command=by_command, n=len(results),
                                seconds=round(time.perf_counter() - t0, 1)), provenance())
        print('wrote', a.out)


if __name__ == '__main__':
    main()
