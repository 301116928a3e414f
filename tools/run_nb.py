"""Execute notebooks in place and keep their outputs, so the docs site (which renders saved outputs) shows figures and
examples; cells flagged `#| gpu`, `#| slow`, `#| notest` or `#| eval: false` are skipped, as nbdev_test skips them.
Run from the repository root: `python tools/run_nb.py nbs/02_dit_context.ipynb ...`, then `nbdev_clean`."""
import os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

SKIP = ('#| gpu', '#| slow', '#| notest', '#| eval: false')


def skip(cell) -> bool:
    return any(line.strip() in SKIP for line in cell.source.splitlines() if line.startswith('#|'))


def run(path: Path):
    nb = read_nb(path)
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        shell = CaptureShell(mpl_format='png')
        for cell in nb.cells:
            if cell.cell_type != 'code' or skip(cell):
                continue
            # stderr (warnings, Lightning's banners) is left out of the saved page
            shell.cell(cell, stderr=False)
            if shell.exc:
                raise SystemExit(f'{path}: cell failed:\n{cell.source}\n{shell.exc}')
    finally:
        os.chdir(here)
    write_nb(nb, path)
    print('executed', path)


if __name__ == '__main__':
    for p in sys.argv[1:]:
        run(Path(p).resolve())
