"""PostgreSQL backend figures: ingest points/s and read times, the backend alone (no
HTTP). Prints; asserts nothing.

    python benchmarks/bench_postgres.py [--batches N] [--rows 1000] [--keys 10] [--no-fsync]

Starts its own throwaway PostgreSQL (``tests/server/pg.py``) on 127.0.0.1, durable
(fsync on) unless ``--no-fsync``. A batch is what a client sends: a history chunk of
``--rows`` rows of ``--keys`` floats, in the wire format, one ``ingest`` call each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.pg import TempPostgres  # noqa: E402
from wbnb.server.postgres import PostgresBackend  # noqa: E402
from wbnb.store.wire import encode_rows  # noqa: E402


def make_batches(batches: int, rows: int, keys: int) -> list[dict]:
    """``batches`` consecutive history chunks of ``rows`` rows x ``keys`` floats."""
    names = tuple(f"train/metric_{k}" for k in range(keys))
    t0 = time.time()
    out = []
    for b in range(batches):
        chunk = [
            (names, i, t0 + i * 0.01, i * 0.01, tuple(random.random() for _ in names))
            for i in range(b * rows, (b + 1) * rows)
        ]
        out.append({"history": encode_rows(b * rows, chunk)})
    return out


def ingest(backend: PostgresBackend, run_id: str, batches: list[dict]) -> list[float]:
    """Seconds per ``ingest`` call, sending every batch once."""
    backend.open_run("bench", "ingest", run_id, {"created_at": time.time()}, None)
    times = []
    for batch in batches:
        t = time.perf_counter()
        backend.ingest("bench", "ingest", run_id, batch)
        times.append(time.perf_counter() - t)
    return times


def report(label: str, times: list[float], points: int) -> None:
    """One line: points/s over the whole series (``points`` per call), and the median call."""
    print(
        f"{label:<44} {points * len(times) / sum(times) / 1e3:8.0f}k points/s   "
        f"median {statistics.median(times) * 1e3:6.1f} ms/batch"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--no-fsync", action="store_true", help="run PostgreSQL without fsync")
    args = parser.parse_args()
    points = args.rows * args.keys
    with TempPostgres(durable=not args.no_fsync) as pg, tempfile.TemporaryDirectory() as media:
        backend = PostgresBackend(pg.url, media)
        print(
            f"PostgreSQL on 127.0.0.1, fsync {'off' if args.no_fsync else 'on'}; "
            f"batches of {args.rows} rows x {args.keys} floats"
        )
        batches = make_batches(args.batches, args.rows, args.keys)
        ingest(backend, "warmup", batches[:5])  # connections, prepared statements, caches
        report(f"ingest, {args.batches} batches", ingest(backend, "r1", batches), points)

        # A client that resends everything (lost answers): every record is skipped.
        resend = []
        for batch in batches:
            t = time.perf_counter()
            backend.ingest("bench", "ingest", "r1", batch)
            resend.append(time.perf_counter() - t)
        report("ingest of batches already held (retries)", resend, points)

        small = make_batches(args.batches * 10, args.rows // 10 or 1, args.keys)
        report(
            f"ingest, {len(small)} batches of {args.rows // 10 or 1} rows",
            ingest(backend, "r2", small),
            (args.rows // 10 or 1) * args.keys,
        )

        store = backend.store("bench")
        n = args.batches * args.rows
        for label, read in [
            (f"rows() of {n} rows", lambda: store.rows("ingest", "r1")),
            (f"columns() of {n} rows", lambda: store.columns("ingest", "r1")),
            (f"columns(samples=1000) of {n} rows", lambda: store.columns("ingest", "r1", samples=1000)),
        ]:
            times = []
            for _ in range(3):
                t = time.perf_counter()
                read()
                times.append(time.perf_counter() - t)
            print(f"{label:<44} {min(times) * 1e3:8.1f} ms")
        backend.close()


if __name__ == "__main__":
    main()
