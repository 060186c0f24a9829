"""Artifact performance figures (issue 16). Prints; asserts nothing.

    python benchmarks/bench_artifacts.py [--size-mb 1024] [--files 1000] [--quick]

Each figure is a ratio against a baseline measured in the same run, on the same disk:

- ``log_artifact`` of one big file against ``cp`` of that file (the file is read once
  before either, so both start from the page cache);
- logging it again unchanged against hashing it (SHA-256), and the bytes the store
  gained (none);
- ``download()`` of a many-file artifact that is already in place (absolute time: the
  call should return at once), against its first download;
- the same workload through wandb offline and MLflow's file store when installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUIET = {"silent": True, "system_interval": 0, "console": False}
MiB = 1 << 20


def seconds(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def make_file(path: Path, size: int) -> None:
    """Random bytes (incompressible, not deduplicable), written in 8 MiB pieces."""
    piece = os.urandom(8 * MiB)
    with open(path, "wb") as f:
        left = size
        while left > 0:
            f.write(piece[: min(left, len(piece))])
            left -= len(piece)
            piece = hashlib.sha256(piece[:64]).digest() * (len(piece) // 32)  # a new piece, cheaply


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 * MiB):
            h.update(chunk)
    return h.hexdigest()


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file())


def bench_big_file(work: Path, size: int) -> float:
    import wbnb
    from wbnb.store.catalog.digest import NAME, digest_file

    big = work / "checkpoint.bin"
    make_file(big, size)
    os.sync()  # each timed step starts with nothing waiting to be written back
    sha_s = min(seconds(lambda: sha256_file(big)) for _ in range(2))  # also warms the page cache
    hash_s = min(seconds(lambda: digest_file(big)) for _ in range(2))
    copies = []
    target = work / "copy.bin"
    for _ in range(2):
        os.sync()
        copies.append(seconds(lambda: subprocess.run(["cp", str(big), str(target)], check=True)))
        target.unlink()
    cp_s = min(copies)

    store = work / "store"
    run = wbnb.init(project="bench", dir=str(store), settings=QUIET)

    def log_once(alias: str) -> None:
        art = wbnb.Artifact("checkpoint", type="model")
        art.add_file(str(big))
        run.log_artifact(art, aliases=[alias]).wait()

    os.sync()
    first_s = seconds(lambda: log_once("first"))
    objects = store / "artifacts" / "objects"
    os.sync()  # blocks are counted once allocated on disk
    before = disk_bytes(objects)
    again_s = seconds(lambda: log_once("again"))
    os.sync()
    grown = disk_bytes(objects) - before
    run.finish(quiet=True)
    mib = size / MiB
    print(
        f"one {mib:,.0f} MiB file: cp {cp_s:.2f} s ({mib / cp_s:,.0f} MiB/s), "
        f"{NAME} {hash_s:.2f} s, SHA-256 {sha_s:.2f} s"
    )
    print(f"  log_artifact (first):        {first_s:6.2f} s = {first_s / cp_s:4.2f}x cp   (target <= 1.3x)")
    print(f"  log_artifact (unchanged):    {again_s:6.2f} s = {again_s / hash_s:4.2f}x {NAME} (target <= 1x)")
    print(f"  file bytes the store gained the second time: {grown:,}")
    return first_s


def make_tree(folder: Path, files: int) -> None:
    for i in range(files):
        sub = folder / f"part{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i}.txt").write_bytes(os.urandom(512))


def bench_many_files(work: Path, files: int) -> float:
    import wbnb

    tree = work / "tree"
    make_tree(tree, files)
    store = work / "store-many"
    run = wbnb.init(project="bench", dir=str(store), settings=QUIET)
    art = wbnb.Artifact("dataset", type="dataset")
    os.sync()
    log_s = seconds(lambda: (art.add_dir(str(tree)), run.log_artifact(art).wait()))
    run.finish(quiet=True)

    used = wbnb.init(project="bench", dir=str(store), settings=QUIET)
    logged = used.use_artifact("dataset:latest")
    root = work / "download"
    first_s = seconds(lambda: logged.download(root=str(root)))
    again = [seconds(lambda: logged.download(root=str(root))) for _ in range(7)]
    used.finish(quiet=True)
    print(f"{files:,} files: log_artifact {log_s * 1000:,.0f} ms, first download {first_s * 1000:,.0f} ms")
    print(
        f"  download() already in place: median {statistics.median(again) * 1000:.1f} ms, "
        f"max {max(again) * 1000:.1f} ms (target <= 50 ms)"
    )
    return log_s


def bench_wandb(work: Path, size: int, files: int, ours: tuple[float, float]) -> None:
    try:
        import wandb
    except ImportError:
        print("wandb: not installed (pip install wandb to compare)")
        return
    big, tree = work / "checkpoint.bin", work / "tree"
    os.environ["WANDB_MODE"] = "offline"
    run = wandb.init(project="bench", dir=str(work / "wandb"))

    def log_big() -> None:
        art = wandb.Artifact("checkpoint", type="model")
        art.add_file(str(big))
        run.log_artifact(art)

    def log_tree() -> None:
        art = wandb.Artifact("dataset", type="dataset")
        art.add_dir(str(tree))
        run.log_artifact(art)

    big_s, tree_s = seconds(log_big), seconds(log_tree)
    finish_s = seconds(run.finish)  # offline: the artifacts are written out here
    print(
        f"wandb offline: log_artifact of {size / MiB:,.0f} MiB {big_s:.2f} s ({big_s / ours[0]:.1f}x wbnb), "
        f"of {files:,} files {tree_s:.2f} s ({tree_s / ours[1]:.1f}x wbnb), then finish() {finish_s:.2f} s"
    )


def bench_mlflow(work: Path, size: int, files: int, ours: tuple[float, float]) -> None:
    try:
        import mlflow
    except ImportError:
        print("MLflow: not installed (pip install mlflow to compare)")
        return
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # deprecated, but needs no database server
    mlflow.set_tracking_uri((work / "mlruns").as_uri())
    with mlflow.start_run():
        big_s = seconds(lambda: mlflow.log_artifact(str(work / "checkpoint.bin")))
        tree_s = seconds(lambda: mlflow.log_artifacts(str(work / "tree"), "tree"))
    print(
        f"MLflow (file store): log_artifact of {size / MiB:,.0f} MiB {big_s:.2f} s "
        f"({big_s / ours[0]:.1f}x wbnb), log_artifacts of {files:,} files {tree_s:.2f} s ({tree_s / ours[1]:.1f}x wbnb)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1024, help="size of the big file (MiB)")
    ap.add_argument("--files", type=int, default=1000, help="files in the many-file artifact")
    ap.add_argument("--quick", action="store_true", help="a 128 MiB file")
    ap.add_argument("--dir", default=None, help="where to work (default: a temporary folder)")
    args = ap.parse_args()
    size = (128 if args.quick else args.size_mb) * MiB
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        os.chdir(work)  # wandb-style default download roots land here
        ours = (bench_big_file(work, size), bench_many_files(work, args.files))
        bench_wandb(work, size, args.files, ours)
        bench_mlflow(work, size, args.files, ours)
        shutil.rmtree(work / "store", ignore_errors=True)


if __name__ == "__main__":
    main()
