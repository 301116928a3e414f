"""Execute notebooks in place and keep their outputs, so the docs site (which renders saved outputs) shows figures and
examples; cells flagged `#| gpu`, `#| slow`, `#| notest` or `#| eval: false` are skipped, as nbdev_test skips them.
Run from the repository root: `python tools/run_nb.py nbs/02_dit_context.ipynb ...`, then `nbdev_clean`.

Saved PNG figures larger than SLIM_BYTES are stored as JPEG (colour at full resolution, quality 90): a page of photo-like
figures stays a few hundred KB, and the tree that travels to the GPU machine stays under its 64 MiB.
`python tools/run_nb.py --slim-only NOTEBOOK ...` does that to the saved outputs alone, without executing.
tools/check_pages.py fails a page with a saved image over CHECK_BYTES (there)."""
import base64, io, json, os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

SKIP = ('#| gpu', '#| slow', '#| notest', '#| eval: false')
SLIM_BYTES = 150_000


def slim_outputs(cells, limit: int = SLIM_BYTES) -> int:
    """Store every saved PNG output of `cells` larger than `limit` bytes as JPEG instead, where that is at least 30%
smaller (photo-like figures; line plots stay PNG); returns how many changed."""
    from PIL import Image
    from memory_video.runtime import jpeg_bytes

    n = 0
    for cell in cells:
        for out in cell.get('outputs') or []:
            data = out.get('data') or {}
            png = data.get('image/png')
            if not png:
                continue
            raw = base64.b64decode(''.join(png) if isinstance(png, list) else png)
            if len(raw) <= limit:
                continue
            jpeg = jpeg_bytes(Image.open(io.BytesIO(raw)), quality=90)
            if len(jpeg) > 0.7 * len(raw):
                # line plots and text compress better as PNG: kept
                continue
            del data['image/png']
            data['image/jpeg'] = base64.b64encode(jpeg).decode()
            n += 1
    return n


def slim_file(path: Path) -> int:
    "`slim_outputs` on the saved outputs of the notebook at `path`, written back (nbformat JSON, one-space indent)."
    nb = json.loads(path.read_text())
    n = slim_outputs(nb['cells'])
    if n:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return n


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
    print('executed', path, f'({slim_file(path)} figures stored as JPEG)')


if __name__ == '__main__':
    args = sys.argv[1:]
    for p in args:
        if p == '--slim-only':
            continue
        if '--slim-only' in args:
            print(path := Path(p), f'{slim_file(path)} figures stored as JPEG')
        else:
            run(Path(p).resolve())
