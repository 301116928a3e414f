"""Where a training step of the `mini` world models spends its time, on the GPU machine (issue 24).

    python tools/profile_train.py OUT [--parts eager,compile,profile,lightning,procs,streams] [--steps 60]

Synthetic batches of the shapes the `small` latent cache gives (64x64 frames: 8x8 latents, 3 latent frames a clip,
each variant's k context frames), resident on the GPU; the step is WorldModel's (bf16 autocast, flow-matching loss,
clip 1.0, AdamW, EMA). Writes OUT/profile_train.json and OUT/profile_cam.txt (the profiler's kernel table)."""

import argparse
import json
import os
import subprocess
import sys
import time

import torch

from memory_video.runtime import autocast, provenance
from memory_video.training import WorldModel, peak_flops, step_flops
from memory_video.variants import VARIANTS


def batch(variant: str, b: int, device, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    k = VARIANTS[variant].k
    out = dict(
        x0=torch.randn(b, 16, 3, 8, 8, generator=g),
        cams=torch.randn(b, 3, 12, generator=g) * 0.1,
        context=torch.randn(b, 16, k, 8, 8, generator=g),
        context_cams=torch.randn(b, k, 12, generator=g) * 0.1,
        text=torch.randint(1, 4096, (b, 48), generator=g),
    )
    return {n: v.to(device) for n, v in out.items()}


def make(variant: str, device, compile_mode=None, **hp):
    m = WorldModel(variant, 'mini', **hp).to(device)
    opt = torch.optim.AdamW(m.model.parameters(), lr=2e-4)
    net = torch.compile(m.model, mode=compile_mode, dynamic=False) if compile_mode else m.model
    return m, opt, net


def step_fn(m, opt, net, b, device):
    ema, cur = list(m.ema.parameters()), list(m.model.parameters())

    def step():
        with autocast(device):
            loss = m._loss(net, b, m._noise(b))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(cur, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            torch._foreach_lerp_(ema, cur, 0.001)
        return loss

    return step


def sync(device):
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize(device)


def timed(step, device, steps: int, warmup: int = 10) -> float:
    "Seconds a step, steady state."
    for _ in range(warmup):
        step()
    sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    sync(device)
    return (time.perf_counter() - t0) / steps


def row(variant, b, sec, flops, device, **extra):
    peak = peak_flops(device)
    return dict(
        variant=variant,
        batch=b,
        step_ms=sec * 1e3,
        steps_per_s=1 / sec,
        tflops=flops / sec / 1e12,
        mfu=flops / sec / peak if peak else None,
        **extra,
    )


def part_eager(device, steps, variants=tuple(VARIANTS), batches=(256,), compile_mode=None):
    rows = []
    for v in variants:
        for b in batches:
            m, opt, net = make(v, device, compile_mode)
            bt = batch(v, b, device)
            flops = step_flops(m.model, bt)
            sec = timed(step_fn(m, opt, net, bt, device), device, steps, warmup=10 if not compile_mode else 15)
            rows.append(row(v, b, sec, flops, device, compile=compile_mode or 'eager'))
            print(json.dumps(rows[-1]), flush=True)
            del m, opt, net
            torch.cuda.empty_cache()
    return rows


def part_profile(device, out):
    from torch.profiler import ProfilerActivity, profile

    m, opt, net = make('cam', device)
    bt = batch('cam', 256, device)
    step = step_fn(m, opt, net, bt, device)
    timed(step, device, 5)
    n = 20
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for _ in range(n):
            step()
        torch.cuda.synchronize(device)
    ka = prof.key_averages()
    table = ka.table(sort_by='self_cuda_time_total', row_limit=40)
    with open(f'{out}/profile_cam.txt', 'w') as f:
        f.write(table)
        f.write('\n\nby CPU time\n')
        f.write(ka.table(sort_by='self_cpu_time_total', row_limit=25))
    events = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
    kernel_us = sum(e.device_time for e in events) if events and hasattr(events[0], 'device_time') else None
    sec = timed(step, device, 30)
    return dict(
        kernels_per_step=len(events) / n,
        kernel_ms_per_step=kernel_us / n / 1e3 if kernel_us else None,
        wall_ms_per_step=sec * 1e3,
    )


def part_lightning(device, steps=300):
    import lightning as L

    class Data(L.LightningDataModule):
        def train_dataloader(self):
            bt = batch('cam', 256, device)

            class Stream(torch.utils.data.IterableDataset):
                def __iter__(self):
                    while True:
                        yield bt

            return torch.utils.data.DataLoader(Stream(), batch_size=None)

    m = WorldModel('cam', 'mini')
    t0 = []

    class Clock(L.Callback):
        def on_train_batch_start(self, trainer, module, b, i):
            if trainer.global_step == 50:
                torch.cuda.synchronize()
                t0.append(time.perf_counter())

    tr = L.Trainer(
        accelerator='gpu',
        devices=1,
        precision='bf16-mixed',
        max_steps=steps,
        gradient_clip_val=1.0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[Clock()],
        limit_val_batches=0,
    )
    tr.fit(m, datamodule=Data())
    torch.cuda.synchronize()
    sec = (time.perf_counter() - t0[0]) / (steps - 50)
    return dict(step_ms=sec * 1e3, steps_per_s=1 / sec)


def part_procs(out, n=6, steps=150):
    "n copies of the eager cam step in n processes at once: aggregate steps/s (time-slicing of one GPU)."
    code = (
        "import sys, time, torch; sys.path.insert(0, 'tools'); import profile_train as p; d = torch.device('cuda');"
        "m, o, net = p.make('cam', d); b = p.batch('cam', 256, d); s = p.step_fn(m, o, net, b, d);"
        f"print(p.timed(s, d, {steps}))"
    )
    t0 = time.perf_counter()
    ps = [subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True) for _ in range(n)]
    secs = [float(p.communicate()[0].strip().splitlines()[-1]) for p in ps]
    return dict(
        processes=n,
        step_ms_each=[s * 1e3 for s in secs],
        aggregate_steps_per_s=sum(1 / s for s in secs),
        wall_s=time.perf_counter() - t0,
    )


def part_streams(device, steps, n=6, compile_mode=None):
    "n cam models stepped in turn in one process, each on its own CUDA stream: aggregate steps/s."
    models = [make('cam', device, compile_mode) for _ in range(n)]
    bts = [batch('cam', 256, device, seed=i) for i in range(n)]
    steps_ = [step_fn(m, o, net, b, device) for (m, o, net), b in zip(models, bts)]
    streams = [torch.cuda.Stream(device) for _ in range(n)]

    def all_step():
        for s, st in zip(steps_, streams):
            with torch.cuda.stream(st):
                s()
        for st in streams:
            torch.cuda.current_stream(device).wait_stream(st)

    sec = timed(all_step, device, steps)
    return dict(models=n, compile=compile_mode or 'eager', round_ms=sec * 1e3, aggregate_steps_per_s=n / sec)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--parts', default='eager,profile,lightning,procs,streams,compile,compile_ro')
    ap.add_argument('--steps', type=int, default=60)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    device = torch.device('cuda')
    torch.backends.cuda.matmul.allow_tf32 = True
    command = 'python tools/profile_train.py ' + ' '.join(sys.argv[1:])
    res = dict(provenance=provenance(device, command), device=torch.cuda.get_device_name(device))
    path = f'{a.out}/profile_train.json'

    def save():
        with open(path, 'w') as f:
            json.dump(res, f, indent=1)

    for part in a.parts.split(','):
        t0 = time.perf_counter()
        try:
            if part == 'eager':
                res['eager'] = part_eager(device, a.steps, batches=(256,))
                res['eager_batch'] = part_eager(device, a.steps, ('cam',), batches=(64, 1024))
            elif part == 'profile':
                res['profile'] = part_profile(device, a.out)
            elif part == 'lightning':
                res['lightning'] = part_lightning(device)
            elif part == 'compile':
                res['compile'] = part_eager(device, a.steps, ('cam', 'memlearner'), (256,), 'default')
            elif part == 'compile_ro':
                res['compile_ro'] = part_eager(device, a.steps, ('cam',), (256,), 'reduce-overhead')
            elif part == 'procs':
                res['procs'] = part_procs(a.out)
            elif part == 'streams':
                res['streams'] = part_streams(device, a.steps // 2)
        except Exception as e:  # one part failing must not lose the others
            res[f'{part}_error'] = repr(e)[:2000]
        res.setdefault('part_seconds', {})[part] = time.perf_counter() - t0
        print(
            part,
            f'{time.perf_counter() - t0:.1f} s',
            json.dumps(res.get(part, res.get(f'{part}_error')))[:600],
            flush=True,
        )
        save()


if __name__ == '__main__':
    main()
