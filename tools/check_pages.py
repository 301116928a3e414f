"""The page check: committed notebooks carry no debris.

Fails (exit 1, one line per finding: file, cell index, what) when a notebook in `nbs/`

- has an error output: `output_type` 'error', or a stream / text output that starts with a Python traceback
  (IPython's `Traceback (most recent call last)` header, or its `Cell In[n], line k` / `File "...", line k` header of
  a SyntaxError);
- has a code cell whose source is not valid Python once lines starting with `%`, `!` and `#|` are left out (prose
  pasted into a code cell, a half-deleted line). Cells run by a cell magic other than `%%time`, `%%timeit`,
  `%%capture` are not Python and are skipped;
- is one of the RESULTS_PAGES (pages whose saved outputs are the published results) and lacks its outputs: no saved
  output at all, or a cell that prints or shows a value at top level with none saved.

Usage (from the repository root): `python tools/check_pages.py [NOTEBOOK ...] [--results NAME ...]`; with no
notebook, every `nbs/*.ipynb`. `--results` adds page names (stems, e.g. `05_eval_tables`) to RESULTS_PAGES.
`tools/test.sh` runs it; `tools/test_check_pages.py` tests it."""
import argparse, ast, json, re, sys
from pathlib import Path

# pages whose outputs are the results: they must be committed executed (names without `.ipynb`). Add a page here once
# it is committed with its outputs (run `python tools/run_nb.py nbs/NAME.ipynb`, then `nbdev_clean`), e.g.
# ('05_eval_tables', '06_ablations') when the tables have been executed; from then on a copy of such a page with no
# outputs, or with an error output, fails this check (tools/test_check_pages.py tests both).
RESULTS_PAGES: tuple[str, ...] = ('05_eval_tables', '06_ablations')

PYTHON_CELL_MAGICS = ('%%time', '%%timeit', '%%capture', '%%prun')
_ANSI = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
_TRACEBACK_START = re.compile(r'^\s*(-{20,}|Traceback \(most recent call last\)|Cell In\[\d+\], line \d+'
                              r'|File "[^"]*", line \d+)')


def _text(x) -> str:
    return ''.join(x) if isinstance(x, list) else (x or '')


def is_traceback(text: str) -> bool:
    """True when `text` (a stream or text/plain output) starts with a Python traceback."""
    text = _ANSI.sub('', text)
    first = next((line for line in text.splitlines() if line.strip()), '')
    if not _TRACEBACK_START.match(first):
        return False
    # a line of dashes alone is a rule, not a traceback: IPython's header puts `Traceback (...)` on the next line
    return not first.strip().startswith('---') or 'Traceback (most recent call last)' in text[:2000]


def python_source(src: str) -> str | None:
    """The Python a code cell runs (directive, magic and shell lines left out), or None for a non-Python cell magic."""
    lines = src.splitlines()
    first = next((line.strip() for line in lines if line.strip() and not line.lstrip().startswith('#|')), '')
    if first.startswith('%%') and first.split()[0] not in PYTHON_CELL_MAGICS:
        return None
    return '\n'.join('' if line.lstrip().startswith(('%', '!', '#|')) else line for line in lines)


def _shows_output(tree: ast.Module) -> bool:
    """Whether a cell's top level prints or displays something (so a results page must have saved its output)."""
    def calls_show(node) -> bool:
        for sub in ast.walk(node):
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                return False
            if isinstance(sub, ast.Call):
                f = sub.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ''
                if name in ('print', 'display', 'show'):
                    return True
        return False
    body = tree.body
    if body and isinstance(body[-1], ast.Expr) and not isinstance(body[-1].value, (ast.Call, ast.Constant)):
        return True
    return any(calls_show(stmt) for stmt in body
               if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))


def check_notebook(path: Path, results: bool = False) -> list[str]:
    """The findings for one notebook, each `path: cell N: what`; empty when the page is clean."""
    try:
        nb = json.loads(Path(path).read_text())
        cells = nb['cells']
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [f'{path}: not a readable notebook ({type(e).__name__}: {e})']
    found, n_outputs = [], 0
    for i, cell in enumerate(cells):
        if cell.get('cell_type') != 'code':
            continue
        outputs = cell.get('outputs') or []
        n_outputs += len(outputs)
        for out in outputs:
            kind = out.get('output_type')
            if kind == 'error':
                found.append(f'{path}: cell {i}: error output ({out.get("ename")}: {out.get("evalue", "")[:80]})')
            elif kind == 'stream' and is_traceback(_text(out.get('text'))):
                found.append(f'{path}: cell {i}: {out.get("name", "stream")} output is a traceback')
            elif kind in ('execute_result', 'display_data') and is_traceback(
                    _text(out.get('data', {}).get('text/plain'))):
                found.append(f'{path}: cell {i}: {kind} is a traceback')
        src = _text(cell.get('source'))
        py = python_source(src)
        if py is None:
            continue
        try:
            tree = compile(py, f'{path} cell {i}', 'exec', flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except (SyntaxError, ValueError) as e:
            first = next((line.strip() for line in src.splitlines() if line.strip()), '')
            found.append(f'{path}: cell {i}: code cell is not valid Python ({getattr(e, "msg", e)}, line '
                         f'{getattr(e, "lineno", "?")}): {first[:70]!r}')
            continue
        if results and not outputs and _shows_output(tree):
            found.append(f'{path}: cell {i}: results page, but this cell shows a value and has no saved output')
    if results and n_outputs == 0:
        found.append(f'{path}: results page committed without outputs (execute it and commit it with its outputs)')
    return found


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', type=Path, help='notebooks to check (default: nbs/*.ipynb)')
    ap.add_argument('--results', nargs='*', default=[], help='more results pages (notebook names without .ipynb)')
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted(Path('nbs').glob('*.ipynb'))
    if not paths:
        print('check_pages: no notebooks found (run from the repository root, or name them)', file=sys.stderr)
        return 1
    results = set(RESULTS_PAGES) | set(args.results)
    found = [f for p in paths for f in check_notebook(p, results=p.stem in results)]
    for f in found:
        print(f)
    print(f'check_pages: {len(paths)} notebooks, {len(found)} finding(s)')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
