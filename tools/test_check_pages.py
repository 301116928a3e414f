"""Tests of tools/check_pages.py on synthetic notebooks: debris is flagged with its file and cell, a clean page passes.

Run from the repository root: `python tools/test_check_pages.py` (tools/test.sh does)."""
import contextlib, io, json, subprocess, sys, tempfile
from pathlib import Path

CHECK = Path(__file__).with_name('check_pages.py')


def cell(src: str, outputs=(), kind: str = 'code') -> dict:
    c = {'cell_type': kind, 'id': f'c{abs(hash(src)) % 10**8}', 'metadata': {}, 'source': src}
    if kind == 'code':
        c.update(execution_count=None, outputs=list(outputs))
    return c


def write(folder: Path, name: str, cells: list) -> Path:
    p = folder / f'{name}.ipynb'
    p.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}))
    return p


def run(*args) -> tuple[int, str]:
    r = subprocess.run([sys.executable, str(CHECK), *map(str, args)], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def stream(text: str) -> dict:
    return {'output_type': 'stream', 'name': 'stdout', 'text': text}


def main():
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        ok = write(d, 'clean', [
            cell('# A page', kind='markdown'),
            cell('#| export\ndef f(x): return x + 1'),
            cell('%time y = f(1)\n!echo hi\nprint(y)', [stream('2\n')]),
            cell('%%bash\necho this is not python'),
            cell("print('ValueError: shown on purpose, not a traceback')", [stream('ValueError: shown on purpose\n')]),
            cell('import asyncio\nawait asyncio.sleep(0)  # top-level await runs in a notebook'),
        ])
        rc, out = run(ok)
        assert rc == 0 and '0 finding' in out, out

        err = write(d, 'error_output', [cell('x = 1'), cell('1/0', [{
            'output_type': 'error', 'ename': 'ZeroDivisionError', 'evalue': 'division by zero', 'traceback': []}])])
        rc, out = run(err)
        assert rc == 1 and 'error_output.ipynb: cell 1: error output (ZeroDivisionError' in out, out

        tb = ('\x1b[0;31m---------------------------------------------------------------------------\x1b[0m\n'
              '\x1b[0;31mKeyError\x1b[0m                Traceback (most recent call last)\nCell In[3], line 1\n')
        syn = '\x1b[0;36m  Cell \x1b[0;32mIn[1], line 1\x1b[0m\n    A sentence.\n      ^\nSyntaxError: invalid syntax\n'
        plain = 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: no\n'
        tbs = write(d, 'traceback_stream', [cell('d = {}'), cell('d[1]', [stream(tb)]), cell('g()', [stream(plain)]),
                                             cell('h()', [{'output_type': 'execute_result', 'execution_count': None,
                                                           'metadata': {}, 'data': {'text/plain': syn}}])])
        rc, out = run(tbs)
        assert rc == 1 and all(f'traceback_stream.ipynb: cell {i}:' in out for i in (1, 2, 3)), out

        prose = write(d, 'prose', [cell('x = 1'), cell('#| hide\nA rotation keeps norms, and scores depend on it:',
                                                         [stream(syn)])])
        rc, out = run(prose)
        assert rc == 1 and 'prose.ipynb: cell 1: code cell is not valid Python' in out, out
        assert 'prose.ipynb: cell 1: stdout output is a traceback' in out, out
        assert 'cell 0' not in out, out

        # results pages: clean as an ordinary page, flagged as a results page until executed
        res = write(d, 'results', [cell('import json'), cell('table = {"a": 1}\ntable'), cell("print('done')")])
        assert run(res)[0] == 0
        rc, out = run(res, '--results', 'results')
        assert rc == 1 and 'results.ipynb: cell 1: results page' in out and 'cell 2: results page' in out, out
        assert 'results page committed without outputs' in out and 'cell 0' not in out, out
        shown = {'output_type': 'execute_result', 'execution_count': None, 'metadata': {}, 'data': {'text/plain': '{}'}}
        done = write(d, 'results', [cell('import json'), cell('table = {"a": 1}\ntable', [shown]),
            cell("print('done')", [stream('done\n')])])
        rc, out = run(done, '--results', 'results')
        assert rc == 0, out
        # an executed results page that holds an error output fails, naming the cell, though it has outputs
        key_error = {'output_type': 'error', 'ename': 'KeyError', 'evalue': "'b'", 'traceback': []}
        broke = write(d, 'results', [cell('import json'), cell('table = {"a": 1}\ntable', [shown]),
            cell("print(table['b'])", [key_error])])
        rc, out = run(broke, '--results', 'results')
        assert rc == 1 and "results.ipynb: cell 2: error output (KeyError: 'b')" in out, out
        assert 'committed without outputs' not in out and 'cell 1' not in out, out
        # a results page whose tables print into a traceback (a stream output) fails too
        tb_page = write(d, 'results', [cell('table = {"a": 1}\ntable', [shown]), cell('show(table)', [stream(plain)])])
        rc, out = run(tb_page, '--results', 'results')
        assert rc == 1 and 'results.ipynb: cell 1: stdout output is a traceback' in out, out

        # RESULTS_PAGES itself (not only --results) makes the check fail on a page without outputs or with an error
        sys.path.insert(0, str(CHECK.parent))
        import check_pages
        pages = {}
        table = cell('table = {"a": 1}\ntable', [shown])
        for kind, cells in (('bare', [cell('import json'), cell('table = {"a": 1}\ntable')]),
                            ('broke', [table, cell("print(table['b'])", [key_error])]), ('done', [table])):
            (d / kind).mkdir()
            pages[kind] = str(write(d / kind, 'results', cells))
        saved = check_pages.RESULTS_PAGES
        try:
            with contextlib.redirect_stdout(io.StringIO()) as printed:
                check_pages.RESULTS_PAGES = ('results',)
                codes = {kind: check_pages.main([path]) for kind, path in pages.items()}
                check_pages.RESULTS_PAGES = ()
                codes['bare, not a results page'] = check_pages.main([pages['bare']])
        finally:
            check_pages.RESULTS_PAGES = saved
        assert codes == {'bare': 1, 'broke': 1, 'done': 0, 'bare, not a results page': 0}, (codes, printed.getvalue())
        assert 'bare/results.ipynb: results page committed without outputs' in printed.getvalue(), printed.getvalue()
        assert "broke/results.ipynb: cell 1: error output (KeyError: 'b')" in printed.getvalue(), printed.getvalue()
        # every page named in RESULTS_PAGES is a notebook of nbs/ (a misspelt name would check nothing)
        nbs = CHECK.parent.parent / 'nbs'
        missing = [name for name in check_pages.RESULTS_PAGES if not (nbs / f'{name}.ipynb').exists()]
        assert not missing, f'RESULTS_PAGES names pages that are not in {nbs}: {missing}'

        # several files: every finding listed, each with its file
        rc, out = run(ok, err, prose)
        assert rc == 1 and 'error_output.ipynb' in out and 'prose.ipynb' in out and 'clean.ipynb' not in out, out
        rc, out = run(d / 'missing.ipynb')
        assert rc == 1 and 'not a readable notebook' in out, out
    print('test_check_pages: all passed')


if __name__ == '__main__':
    main()
