"""The FID/FVD weights to the GPU machine in parts. Inception (87 MB) and I3D (51 MB) do not fit the 64 MiB a call may
carry beside the tracked tree; split into parts of at most PART_BYTES, one part rides along each device call (carry
`.mparts/pK`), and a warm machine keeps what it was given in a store outside the checkout until every part is there;
then the files are joined and checked against their sha256.

    python tools/metrics_parts.py split [--src DIR] [--out .mparts]    here: .mparts/p1 .. pN and .mparts/manifest.json
    python tools/metrics_parts.py take PARTS STORE                       there: keep the carried parts (and the manifest)
    python tools/metrics_parts.py join STORE OUT                         there: OUT/<file> for every whole file; exit 0
                                                                         when all are whole, 3 while parts are missing
tools/gpu_world.sh calls `take` and `join` at the start of every phase."""
import argparse, hashlib, json, shutil, sys
from pathlib import Path

FILES = ('inception_fid.pt', 'i3d_400.safetensors')
PART_BYTES = 23 * 2**20  # with the tracked tree (about 37 MB), under the 64 MiB a call may carry


def sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def split(src: Path, out: Path, part_bytes: int = PART_BYTES, files=FILES) -> dict:
    "Cut the concatenation of `files` of `src` into parts `out/p1/..`; writes and returns the manifest."
    missing = [f for f in files if not (src / f).is_file()]
    if missing:
        raise SystemExit(f"split: {', '.join(missing)} not in {src} (run an evaluation with FID once to fetch them)")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    blob = b''.join((src / f).read_bytes() for f in files)
    parts = [blob[i : i + part_bytes] for i in range(0, len(blob), part_bytes)]
    manifest = dict(files=[dict(name=f, bytes=(src / f).stat().st_size, sha256=sha256(src / f)) for f in files],
                    parts=[dict(name=f'part_{k + 1:02d}', sha256=hashlib.sha256(p).hexdigest()) for k, p in
                           enumerate(parts)])
    for k, p in enumerate(parts):
        (out / f'p{k + 1}').mkdir()
        (out / f'p{k + 1}' / f'part_{k + 1:02d}').write_bytes(p)
        (out / f'p{k + 1}' / 'manifest.json').write_text(json.dumps(manifest, indent=1))
    (out / 'manifest.json').write_text(json.dumps(manifest, indent=1))
    return manifest


def take(parts: Path, store: Path) -> list:
    "Copy the parts (and the manifest) found under `parts` into `store`; the names of the parts taken."
    store.mkdir(parents=True, exist_ok=True)
    got = []
    for p in sorted(parts.rglob('part_*')):
        shutil.copyfile(p, store / p.name)
        got.append(p.name)
    for m in parts.rglob('manifest.json'):
        shutil.copyfile(m, store / 'manifest.json')
        break
    return got


def join(store: Path, out: Path) -> list:
    "The missing part names (none: every file written to `out` and checked); a part or file that does not check fails."
    mf = store / 'manifest.json'
    if not mf.is_file():
        return ['manifest.json']
    manifest = json.loads(mf.read_text())
    missing = [p['name'] for p in manifest['parts'] if not (store / p['name']).is_file()]
    if missing:
        return missing
    if all((out / f['name']).is_file() and sha256(out / f['name']) == f['sha256'] for f in manifest['files']):
        return []
    blob = bytearray()
    for p in manifest['parts']:
        data = (store / p['name']).read_bytes()
        if hashlib.sha256(data).hexdigest() != p['sha256']:
            raise SystemExit(f"join: {store / p['name']} does not match its sha256 (carry that part again)")
        blob += data
    out.mkdir(parents=True, exist_ok=True)
    at = 0
    for f in manifest['files']:
        dest = out / f['name']
        tmp = dest.with_name(dest.name + '.tmp')
        tmp.write_bytes(blob[at : at + f['bytes']])
        at += f['bytes']
        if sha256(tmp) != f['sha256']:
            tmp.unlink()
            raise SystemExit(f"join: {f['name']} does not match its sha256 after joining")
        tmp.replace(dest)
    return []


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('split')
    s.add_argument('--src', default=str(Path.home() / '.cache' / 'memory_video' / 'metrics'))
    s.add_argument('--out', default='.mparts')
    t = sub.add_parser('take')
    t.add_argument('parts')
    t.add_argument('store')
    j = sub.add_parser('join')
    j.add_argument('store')
    j.add_argument('out')
    a = ap.parse_args(argv)
    if a.cmd == 'split':
        m = split(Path(a.src), Path(a.out))
        print(f"metrics_parts: {len(m['parts'])} parts of at most {PART_BYTES / 2**20:.0f} MiB in {a.out}; carry "
              f"{a.out}/p1 .. {a.out}/p{len(m['parts'])}, one a call")
        return 0
    if a.cmd == 'take':
        got = take(Path(a.parts), Path(a.store))
        print(f"metrics_parts: took {', '.join(got) or 'no part'}")
        return 0
    missing = join(Path(a.store), Path(a.out))
    print(f"metrics_parts: {'every file whole in ' + a.out if not missing else 'missing ' + ', '.join(missing)}")
    return 0 if not missing else 3


if __name__ == '__main__':
    sys.exit(main())
