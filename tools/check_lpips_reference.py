"""Our LPIPS (05a_metrics) against the reference implementation, `lpips.LPIPS` (lpips 0.1.4), on a machine where
torchvision runs (the GPU machine; a CPU install of this project has no torchvision, so the check cannot run there).

    python tools/check_lpips_reference.py OUT --weights lpips_alex.safetensors [--device cuda]

Both networks get the same AlexNet backbone (our converted file: the reference would otherwise download torchvision's),
while the reference's five linear layers come from its own package (`lpips/weights/v0.1/alex.pth`), so the check covers
the linear weights, the scaling layer, the feature normalisation, the spatial average and the backbone's layer order.
Writes OUT/lpips_reference_<device>.json with provenance; exits 1 when any distance differs by more than 1e-5.
"""

import argparse
import sys
from pathlib import Path

import torch

TOLERANCE = 1e-5


def reference_lpips(ours_state: dict):
    "`lpips.LPIPS` (AlexNet, v0.1) with its own linear layers and our backbone weights."
    import lpips
    import torchvision

    try:
        ref = lpips.LPIPS(net='alex', version='0.1', pretrained=True, pnet_rand=True, verbose=False)
    except TypeError:
        # torchvision dropped `alexnet(pretrained=...)`, which lpips 0.1.4 still passes: same network, new argument
        alexnet = torchvision.models.alexnet
        lpips.pretrained_networks.tv.alexnet = lambda pretrained=False, **kw: alexnet(weights=None, **kw)
        ref = lpips.LPIPS(net='alex', version='0.1', pretrained=True, pnet_rand=True, verbose=False)
    sd = ref.state_dict()
    for k in sd:
        if k.startswith('net.slice'):
            # net.sliceK.N.weight -> net.features.N.weight: the slices keep torchvision's layer indices
            sd[k] = ours_state['net.features.' + '.'.join(k.split('.')[2:])]
    ref.load_state_dict(sd)
    return ref.eval()


def image_pairs(seed: int = 0) -> dict:
    "Named batches of image pairs in [-1, 1]: unrelated noise, small perturbations, smooth images, two sizes."
    g = torch.Generator().manual_seed(seed)
    noise = torch.rand(16, 3, 64, 64, generator=g) * 2 - 1
    other = torch.rand(16, 3, 64, 64, generator=g) * 2 - 1
    small = (noise + 0.05 * torch.randn(16, 3, 64, 64, generator=g)).clamp(-1, 1)
    smooth = torch.nn.functional.avg_pool2d(torch.rand(16, 3, 72, 72, generator=g) * 2 - 1, 9, 1)
    smooth_b = (smooth + 0.1 * torch.randn(16, 3, 64, 64, generator=g)).clamp(-1, 1)
    big = torch.rand(4, 3, 256, 256, generator=g) * 2 - 1
    big_b = (big + 0.2 * torch.randn(4, 3, 256, 256, generator=g)).clamp(-1, 1)
    return dict(noise=(noise, other), perturbed=(noise, small), smooth=(smooth, smooth_b), large=(big, big_b))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('out', help='output folder')
    p.add_argument('--weights', required=True, help='our converted lpips_alex.safetensors')
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    a = p.parse_args(argv)
    from memory_video.runtime import provenance, save_result
    from memory_video.metrics import LPIPS, load_state

    ours = LPIPS('alex', path=a.weights).to(a.device)
    ref = reference_lpips(load_state(a.weights)).to(a.device)
    lins = [getattr(ref, f'lin{i}').model[-1].weight for i in range(5)]
    lin_diff = max((x - y).abs().max().item() for x, y in zip(ours.lins.parameters(), lins))
    rows = []
    with torch.no_grad():
        for name, (x, y) in image_pairs().items():
            x, y = x.to(a.device), y.to(a.device)
            d_ours, d_ref = ours(x, y), ref(x, y).flatten()
            rows.append(dict(pairs=name, n=len(x), size=x.shape[-1], mean=d_ref.mean().item(),
                             max_abs_diff=(d_ours - d_ref).abs().max().item()))
    worst = max(r['max_abs_diff'] for r in rows)
    res = dict(reference='lpips 0.1.4, lpips.LPIPS(net=alex, version=0.1)', tolerance=TOLERANCE,
               linear_layers_max_abs_diff=lin_diff, rows=rows, max_abs_diff=worst, passed=worst <= TOLERANCE)
    for r in rows:
        print(f"{r['pairs']:>9} ({r['n']} pairs, {r['size']}px): LPIPS {r['mean']:.4f}, |ours - ref| <= "
              f"{r['max_abs_diff']:.2e}")
    print(f"linear layers |ours - ref| <= {lin_diff:.2e}; {'PASS' if res['passed'] else 'FAIL'} at {TOLERANCE:g}")
    suffix = 'cuda' if a.device.startswith('cuda') else 'cpu'
    save_result(Path(a.out) / f'lpips_reference_{suffix}.json', res,
                provenance(a.device, ' '.join(['python', *sys.argv])))
    return 0 if res['passed'] else 1


if __name__ == '__main__':
    sys.exit(main())
