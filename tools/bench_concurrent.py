"""Training processes side by side on one GPU: do their steps overlap, or do the processes take turns? (issue 24)

Every variant's training step (`training.train_step`, compiled, synthetic batches of `training.synthetic_batch`) in a
process of its own. The processes compile at the same time, then each times its step alone while the others wait,
then all of them step at once for the same wall time. Taking turns would give the aggregate of the steps alone
(one step of each in `sum(step_ms alone)`); overlapping gives more.
    python tools/bench_concurrent.py OUT [--variants first,random,dfot,framepack,cam,memlearner] [--seconds 20]
Writes OUT/bench_concurrent.json (rows per variant, the aggregate, provenance)."""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

p = argparse.ArgumentParser()
p.add_argument('out')
p.add_argument('--variants', default='first,random,dfot,framepack,cam,memlearner')
p.add_argument('--size', default='mini')
p.add_argument('--batch', type=int, default=256)
p.add_argument('--seconds', type=float, default=20.0, help='wall time of the stepping together')
p.add_argument('--alone-seconds', type=float, default=5.0)
p.add_argument('--compile', default='true', help="'true' or 'false'")
p.add_argument('--device', default='cuda', help="'cuda', or 'cpu' to check the path (size tiny)")
p.add_argument('--child', default='', help='(internal) the variant this process steps')
p.add_argument('--rank', type=int, default=0)
p.add_argument('--dir', default='')
a = p.parse_args()


def wait_for(path: Path, timeout: float = 900.0):
    t0 = time.time()
    while not path.exists():
        if time.time() - t0 > timeout:
            raise TimeoutError(f'{path}: not there after {timeout:.0f} s')
        time.sleep(0.05)


def child():
    import torch
    from memory_video.training import WorldModel, batch_tokens, step_flops, synthetic_batch, train_step

    d, dev = Path(a.dir), torch.device(a.device)
    module = WorldModel(a.child, a.size).to(dev)
    net = torch.compile(module.model, dynamic=False) if a.compile == 'true' else None
    b = synthetic_batch(a.child, a.size, a.batch, device=dev)
    fn = train_step(module, net)
    for _ in range(8):
        fn(b)
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    sync()

    def steps_for(seconds: float) -> tuple:
        n, t0 = 0, time.perf_counter()
        while True:
            for _ in range(5):
                fn(b)
            n += 5
            sync()
            if time.perf_counter() - t0 > seconds:
                return n, time.perf_counter() - t0

    (d / f'ready_{a.rank}').touch()
    wait_for(d / f'alone_{a.rank}')
    n1, s1 = steps_for(a.alone_seconds)
    (d / f'alone_done_{a.rank}').touch()
    wait_for(d / 'together')
    n2, s2 = steps_for(a.seconds)
    row = dict(variant=a.child, flops=step_flops(module.model, b), tokens=batch_tokens(module.model, b),
               alone_ms=s1 / n1 * 1e3, together_ms=s2 / n2 * 1e3, steps_alone=n1, steps_together=n2)
    (d / f'res_{a.rank}.json').write_text(json.dumps(row))


def parent():
    import tempfile
    import torch
    from memory_video.runtime import provenance, save_result
    from memory_video.training import peak_flops

    variants = [v for v in a.variants.split(',') if v]
    d = Path(tempfile.mkdtemp(prefix='bench_concurrent_'))
    t0 = time.time()
    procs = [subprocess.Popen([sys.executable, __file__, a.out, '--child', v, '--rank', str(i), '--dir', str(d),
                               '--size', a.size, '--batch', str(a.batch), '--seconds', str(a.seconds),
                               '--alone-seconds', str(a.alone_seconds), '--compile', a.compile, '--device', a.device],
                              env=dict(os.environ, OMP_NUM_THREADS='1'))
             for i, v in enumerate(variants)]
    for i in range(len(variants)):
        wait_for(d / f'ready_{i}')
    ready = time.time() - t0
    for i in range(len(variants)):
        (d / f'alone_{i}').touch()
        wait_for(d / f'alone_done_{i}')
    (d / 'together').touch()
    for p_ in procs:
        p_.wait()
    rows = [json.loads((d / f'res_{i}.json').read_text()) for i in range(len(variants))]
    # no known peak (a CPU): MFU not given
    peak = peak_flops(torch.device(a.device)) or float('nan')
    turns_s = sum(r['alone_ms'] for r in rows) / 1e3
    agg = dict(
        processes=len(rows), compile_and_warmup_s=ready,
        # one step of every variant, taking turns: the sum of the steps alone
        turns_steps_per_s=len(rows) / turns_s, turns_mfu=sum(r['flops'] for r in rows) / turns_s / peak,
        together_steps_per_s=sum(1e3 / r['together_ms'] for r in rows),
        together_mfu=sum(r['flops'] * 1e3 / r['together_ms'] for r in rows) / peak,
    )
    agg['overlap_gain'] = agg['together_steps_per_s'] / agg['turns_steps_per_s']
    for r in rows:
        r['alone_mfu'] = r['flops'] * 1e3 / r['alone_ms'] / peak
        print(f"{r['variant']:<11} alone {r['alone_ms']:6.1f} ms  together {r['together_ms']:6.1f} ms  "
              f"MFU alone {r['alone_mfu']:.1%}", flush=True)
    print(f"{len(rows)} processes: taking turns {agg['turns_steps_per_s']:.1f} steps/s (MFU {agg['turns_mfu']:.1%}), "
          f"together {agg['together_steps_per_s']:.1f} steps/s (MFU {agg['together_mfu']:.1%}), "
          f"x{agg['overlap_gain']:.2f}; compile and warm-up {ready:.0f} s", flush=True)
    res = dict(size=a.size, batch=a.batch, compile=a.compile, seconds=a.seconds, rows=rows, aggregate=agg,
               device=torch.cuda.get_device_name() if a.device == 'cuda' else a.device)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f'bench_concurrent_{a.size}_{len(rows)}.json'
    print('saved', save_result(out / name, res, provenance(a.device, ['python', *sys.argv])))


if __name__ == '__main__':
    child() if a.child else parent()
