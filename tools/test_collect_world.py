"""Tests of tools/collect_world.py's `join_parts` on synthetic rollouts (gpu_rollouts.py --part): every part's methods
kept, the trivial baselines (scored by every part on the same cases) once, the summary recomputed, a method in two
parts refused. Run from the repository root: `python tools/test_collect_world.py`."""
import json, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from collect_world import join_parts  # noqa: E402
from memory_video.rollout import BASELINES  # noqa: E402


def rows(method, psnr, scenes=('s0', 's1')):
    return [dict(method=method, kind='tour', scene=s, layout='open', seed=0, segment=g, psnr=psnr + g, lpips=0.3,
                 sharpness=0.5) for s in scenes for g in range(2)]


def part(path, methods):
    base = [r for b in BASELINES for r in rows(b, 15.0)]
    res = dict(scenes=['s0', 's1'], steps={m: 20 for m in methods}, seeds=[0], seconds=10.0,
               rows=base + [r for m in methods for r in rows(m, 20.0)])
    path.write_text(json.dumps(dict(provenance=dict(commit='abc'), results=res)))
    return path


def main():
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        a, b = part(d / 'rollouts_p1.json', ['cam_full']), part(d / 'rollouts_p2.json', ['first_full', 'cam_base'])
        r = join_parts([a, b])
        methods = [x['method'] for x in r['rows']]
        for m in BASELINES:
            assert methods.count(m) == 4, (m, methods.count(m))        # 2 scenes x 2 segments, once
        assert methods.count('cam_full') == methods.count('first_full') == 4
        assert r['steps'] == {'cam_full': 20, 'first_full': 20, 'cam_base': 20}
        assert r['parts'] == ['rollouts_p1.json', 'rollouts_p2.json']
        summary = {(s['method'], s['segment']): s['psnr'] for s in r['summary']}
        assert abs(summary[('first_full', 1)] - 21.0) < 1e-9 and abs(summary[('first frame', 0)] - 15.0) < 1e-9
        c = part(d / 'rollouts_p3.json', ['cam_full'])
        try:
            join_parts([a, c])
        except ValueError as e:
            assert 'cam_full' in str(e) and 'two parts' in str(e), e
        else:
            raise AssertionError('a method in two parts was joined')
    print('collect_world.join_parts: ok')


if __name__ == '__main__':
    main()
