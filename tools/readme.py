"""Write README.md from nbs/index.ipynb (what `nbdev_readme` does, without quarto, which these machines cannot install).

Markdown cells are copied; code cells not marked `#| hide` become ```python blocks followed by their text output.
`--check` only compares and exits 1 if README.md is stale.
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path=root / 'nbs' / 'index.ipynb') -> str:
    cells, out = json.loads(Path(nb_path).read_text())['cells'], []
    for c in cells:
        src = ''.join(c['source'])
        lines = src.splitlines()
        directives = [l for l in lines if l.startswith('#|')]
        if c['cell_type'] == 'markdown': out.append(src.strip()); continue
        if any('hide' in d or 'default_exp' in d for d in directives): continue
        code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if code: out.append(f"```python\n{code}\n```")
        for o in c.get('outputs', []):
            text = o.get('text') or o.get('data', {}).get('text/plain')
            if text and 'image/png' not in o.get('data', {}): out.append("```\n" + ''.join(text).rstrip() + "\n```")
    return "<!-- generated from nbs/index.ipynb by `make readme`; edit the notebook, not this file -->\n\n" + '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    text, path = render(), root / 'README.md'
    if '--check' in sys.argv:
        if not path.exists() or path.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `make readme` and commit it")
    else: path.write_text(text); print('wrote', path)
