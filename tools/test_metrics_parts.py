"""Tests of tools/metrics_parts.py on synthetic files: split, parts taken one call at a time, joined bit for bit only
when all are there, a damaged part refused. Run from the repository root: `python tools/test_metrics_parts.py`."""
import os, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import metrics_parts as mp  # noqa: E402


def main():
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        (d / 'src').mkdir()
        files = {'a.bin': os.urandom(2500), 'b.bin': os.urandom(1700)}
        for name, data in files.items():
            (d / 'src' / name).write_bytes(data)
        m = mp.split(d / 'src', d / 'parts', part_bytes=1000, files=tuple(files))
        assert len(m['parts']) == 5, m['parts']                       # 4,200 bytes in parts of 1,000
        assert mp.join(d / 'store', d / 'out') == ['manifest.json']    # nothing taken yet
        for k in (1, 2, 3):                                            # three calls, one part each
            assert mp.take(d / 'parts' / f'p{k}', d / 'store') == [f'part_{k:02d}']
        assert mp.join(d / 'store', d / 'out') == ['part_04', 'part_05'] and not (d / 'out').exists()
        for k in (4, 5):
            mp.take(d / 'parts' / f'p{k}', d / 'store')
        assert mp.join(d / 'store', d / 'out') == []
        assert all((d / 'out' / n).read_bytes() == data for n, data in files.items())
        # a damaged part is refused by name, and nothing damaged is written
        (d / 'out' / 'a.bin').unlink()
        p = d / 'store' / 'part_02'
        p.write_bytes(b'x' + p.read_bytes()[1:])
        try:
            mp.join(d / 'store', d / 'out')
            raise AssertionError('a damaged part was joined')
        except SystemExit as e:
            assert 'part_02 does not match its sha256' in str(e), e
        assert not (d / 'out' / 'a.bin').exists()
        # a missing source file: one line naming it
        try:
            mp.split(d / 'src', d / 'p2', files=('a.bin', 'c.bin'))
            raise AssertionError('split without its files')
        except SystemExit as e:
            assert 'c.bin not in' in str(e), e
    print('test_metrics_parts: all passed')


if __name__ == '__main__':
    main()
