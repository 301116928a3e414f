"""Several world models of one architecture stepped as one batched model (issue 24): does it beat stepping them in turn?

Processes side by side on one GPU take time slices (tools/bench_concurrent.py: six variants x1.36, identical steps
x0.91), so the lever left is larger kernels. random, dfot and cam are the same `cam` DiT with other context rules and
the same context length: their parameters stacked (`torch.func.stack_module_state`) and the library's loss called
through `functional_call` under `vmap` make every matrix product one batched product over the models. Each model keeps
its own gradient clipping (norm 1 per model), AdamW and EMA, so the step is exactly the separate steps
(`training.train_step`), which `--check` verifies (CPU, size tiny).
    python tools/bench_stacked.py OUT [--variants random,dfot,cam] [--size mini] [--batch 256] [--compile true]
    python tools/bench_stacked.py OUT --check        # on the CPU: one stacked step equals the separate steps
Writes OUT/bench_stacked_<size>_<n>.json (step times, MFU, provenance)."""
import argparse, copy, sys, time
from pathlib import Path

import torch
from torch.func import functional_call, stack_module_state, vmap

from memory_video.dit import flow_matching_loss
from memory_video.runtime import provenance, save_result
from memory_video.training import WorldModel, peak_flops, step_flops, synthetic_batch, train_step

p = argparse.ArgumentParser()
p.add_argument('out')
p.add_argument('--variants', default='random,dfot,cam')
p.add_argument('--size', default='mini')
p.add_argument('--batch', type=int, default=256)
p.add_argument('--device', default='cuda')
p.add_argument('--compile', default='true', help="'true' or 'false'")
p.add_argument('--steps', type=int, default=30)
p.add_argument('--check', action='store_true', help='CPU, size tiny: one stacked step equals the separate steps')
a = p.parse_args()
ARGS = ('x0', 'cams', 'context', 'context_cams', 'text')


class Stacked:
    """`step(batches) -> losses (N,)`: one training step of every model in `modules` (WorldModels of one size and
    memory), their parameters stacked, each with its own clipping, AdamW and EMA as `train_step` does."""

    def __init__(self, modules, compile=False):
        self.modules = modules
        self.cfg = modules[0].model.cfg
        self.base = copy.deepcopy(modules[0].model).to('meta')
        params, self.buffers = stack_module_state([m.model for m in modules])
        self.params = {k: v.detach().requires_grad_() for k, v in params.items()}
        ema, _ = stack_module_state([m.ema for m in modules])
        self.ema = {k: v.detach() for k, v in ema.items()}
        h = modules[0].hparams
        self.decay = h.ema_decay
        self.opt = torch.optim.AdamW(list(self.params.values()), lr=h.lr, weight_decay=h.weight_decay)
        # the warm-up as `WorldModel.configure_optimizers` sets it (its first factor applies at once)
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, lambda s: min(1.0, (s + 1) / max(1, h.warmup)))
        # the loss of one model, vmapped over the stacked models (each its own samples and noise)
        self.losses = vmap(self._loss_one, randomness='different')
        if compile:
            self.losses = torch.compile(self.losses, dynamic=False)

    def _loss_one(self, params, buffers, x0, cams, context, context_cams, text, t, noise):
        base, cfg = self.base, self.cfg

        class Functional(torch.nn.Module):
            def forward(self, *args, **kw):
                return functional_call(base, (params, buffers), args, kw)

        model = Functional()
        model.cfg = cfg
        return flow_matching_loss(model, x0, cams, context, context_cams, text, check=False, t=t, noise=noise)

    def step(self, batches, noises):
        stack = lambda xs: torch.stack(list(xs))
        args = [stack(b[k] for b in batches) for k in ARGS]
        t, noise = stack(n['t'] for n in noises), stack(n['noise'] for n in noises)
        device = args[0].device
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == 'cuda'):
            losses = self.losses(self.params, self.buffers, *args, t, noise)
        losses.sum().backward()
        grads = [q.grad for q in self.params.values()]
        # clipping per model: the norm of each model's gradient over all its tensors
        norms = torch.stack([g.flatten(1).norm(dim=1) for g in grads]).norm(dim=0)
        scale = (1.0 / (norms + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(scale.view(-1, *[1] * (g.ndim - 1)))
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            torch._foreach_lerp_(list(self.ema.values()), list(self.params.values()), 1 - self.decay)
        return losses.detach()


def check():
    "One stacked step equals the separate steps of `train_step` (CPU, size tiny, same noise)."
    torch.manual_seed(0)
    names = a.variants.split(',')
    mods = [WorldModel(v, 'tiny') for v in names]
    twins = [copy.deepcopy(m) for m in mods]
    batches = [synthetic_batch(v, 'tiny', 4, seed=i, latent=mods[0].model.cfg.latent) for i, v in enumerate(names)]
    noises = [m._noise(b) for m, b in zip(mods, batches)]
    stacked = Stacked(mods)
    before = {n: q.detach().clone() for n, q in stacked.params.items()}
    stacked.step(batches, noises)
    moved = max((stacked.params[n] - q).abs().max().item() for n, q in before.items())
    worst = 0.0
    for i, (twin, b) in enumerate(zip(twins, batches)):
        train_step(twin)(b)
        for n, q in twin.model.named_parameters():
            worst = max(worst, (stacked.params[n][i] - q).abs().max().item())
        for n, q in twin.ema.named_parameters():
            worst = max(worst, (stacked.ema[n][i] - q).abs().max().item())
    print(f'stacked step of {names} vs separate steps: largest difference {worst:.2e} (the step moved weights '
          f'by up to {moved:.2e})')
    # a step that moved nothing would compare equal too
    assert moved > 1e-7 and worst < 1e-3 * moved, (worst, moved)
    print('ok')


def bench():
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    names = a.variants.split(',')
    mods = [WorldModel(v, a.size).to(dev) for v in names]
    batches = [synthetic_batch(v, a.size, a.batch, device=dev, seed=i) for i, v in enumerate(names)]
    flops = sum(step_flops(m.model, b) for m, b in zip(mods, batches))
    peak = peak_flops(dev) or float('nan')

    def timed(fn, steps):
        for _ in range(5):
            fn()
        sync()
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        sync()
        return (time.perf_counter() - t0) / steps

    res = dict(variants=names, size=a.size, batch=a.batch, compile=a.compile, steps=a.steps)
    compile = a.compile == 'true'
    # the models in turn, each its own (compiled) step: the baseline
    fns = [train_step(m, torch.compile(m.model, dynamic=False) if compile else None) for m in mods]
    turn = timed(lambda: [f(b) for f, b in zip(fns, batches)], a.steps)
    res['turns'] = dict(round_ms=turn * 1e3, mfu=flops / turn / peak)
    print(f"in turn: {turn * 1e3:.1f} ms a round of {len(names)}, MFU {flops / turn / peak:.1%}", flush=True)
    for mode in ([True, False] if compile else [False]):
        try:
            stacked = Stacked([WorldModel(v, a.size).to(dev) for v in names], compile=mode)
            noises = [m._noise(b) for m, b in zip(mods, batches)]
            sec = timed(lambda: stacked.step(batches, noises), a.steps)
        except Exception as e:  # a compile failure is a finding too: say it and go on eager
            res[f'stacked_compile_{mode}_error'] = f'{type(e).__name__}: {str(e)[:400]}'
            print(f'stacked, compile={mode}: failed ({type(e).__name__}: {str(e)[:200]})', flush=True)
            continue
        res[f'stacked_compile_{mode}'] = dict(round_ms=sec * 1e3, mfu=flops / sec / peak, gain=turn / sec)
        print(f"stacked, compile={mode}: {sec * 1e3:.1f} ms a round, MFU {flops / sec / peak:.1%}, "
              f"x{turn / sec:.2f}", flush=True)
    res['device'] = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'cpu'
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f'bench_stacked_{a.size}_{len(names)}.json'
    print('saved', save_result(out / name, res, provenance(a.device, ['python', *sys.argv])))


if __name__ == '__main__':
    check() if a.check else bench()
