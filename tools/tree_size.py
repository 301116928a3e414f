"""Does the tree fit the GPU machine? What travels there (tracked files, plus the carried device wheels and GL
libraries of tools/device_prepare.sh) is limited to 64 MiB a call. Fails (exit 1) when the tracked files leave less
than MARGIN for the carried folders as last measured (CARRY_BYTES; measured again from .whl/ and .gl/ when present).
    python tools/tree_size.py"""
import subprocess, sys
from pathlib import Path

LIMIT = 64 * 2**20
CARRY_BYTES = 28_947_567  # .whl (slim MiniWorld and 7 more wheels) + .gl, 2026-12-07
MARGIN = 256 * 2**10  # room for a run's new results before a GPU call


def folder_bytes(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob('*') if f.is_file())


def main() -> int:
    files = subprocess.run(['git', 'ls-files', '-z'], capture_output=True, check=True).stdout.split(b'\0')
    tracked = sum(Path(f.decode()).stat().st_size for f in files if f and Path(f.decode()).is_file())
    here = [Path('.whl'), Path('.gl')]
    carry = sum(folder_bytes(p) for p in here) if all(p.is_dir() for p in here) else CARRY_BYTES
    left = LIMIT - tracked - carry
    print(f'tree_size: tracked {tracked / 2**20:.2f} MiB + carried {carry / 2**20:.2f} MiB = '
          f'{(tracked + carry) / 2**20:.2f} MiB of 64 MiB; {left / 2**20:.2f} MiB left')
    if left < MARGIN:
        print(f'tree_size: less than {MARGIN / 2**20:.2f} MiB left for the GPU machine: make the tracked files smaller '
              '(saved figures: tools/run_nb.py --slim-only)')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
