"""`nbdev_export`, with the generated `__all__` kept within 120 columns.

nbdev 2.4.14 wraps the list of exported names at 120 columns and then writes `__all__ = ` (10 characters) in front of
it (nbdev/maker.py, `ModuleMaker.make`), so its first line can reach 130. Wrapping at 110 leaves room for the prefix.
Use this instead of `nbdev_export` (`make export`; `make test` checks that it changes nothing)."""
import textwrap
import nbdev.maker
from nbdev.doclinks import nbdev_export


class _Wrapper(textwrap.TextWrapper):
    def __init__(self, width: int = 120, **kw):
        super().__init__(width=width - len('__all__ = '), **kw)


if __name__ == '__main__':
    nbdev.maker.TextWrapper = _Wrapper
    nbdev_export.__wrapped__()
