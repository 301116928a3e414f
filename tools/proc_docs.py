"""The part of `nbdev_docs` that runs without quarto: refresh nbdev.yml, rebuild the module index, and pre-process every
notebook into `_proc/` (what quarto would render). Same steps as nbdev's `nbdev_proc_nbs`, minus its attempt to install
quarto (which needs sudo and the network)."""
from nbdev.config import get_config
from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
from nbdev.serve import proc_nbs
import nbdev.doclinks

if __name__ == '__main__':
    cfg = get_config()
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path)          # a no-op with custom_sidebar = True (our sidebar has sections)
    proc_nbs(cfg.nbs_path)
    out = cfg.config_path / '_proc'
    n = len(list(out.rglob('*.ipynb')))
    if n == 0: raise SystemExit('nothing was pre-processed into _proc/')
    print(f'pre-processed {n} notebooks into {out}')
