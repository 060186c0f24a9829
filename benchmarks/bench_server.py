"""``wbnb server`` figures (issue 5). Prints; asserts nothing.

    python benchmarks/bench_server.py [--steps 200000] [--clients 8] [--postgres | --database postgresql://...]

1. Ingest over loopback from one client: a run logs ``--steps`` steps x 10 floats
   through ``init()`` (spooled, uploaded behind), and we time from the first log()
   to the server holding every point (``finish()`` returning).
2. The same with ``--clients`` processes at once, each its own run: total points/s.
3. MLflow's tracking server ``log_batch`` on the same machine, same points, when
   mlflow is installed (its REST limit is 1000 metrics per call).
4. A server restart while a run logs at ~1 kHz: log() cost in microseconds before,
   while the server is down, and after it is back; the same loop on the local store
   (no server) is the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.server.serverproc import ServerProcess, make_key  # noqa: E402

KEYS = 10
CLIENT = textwrap.dedent(
    """
    import sys, time, wbnb
    steps, keys = int(sys.argv[1]), int(sys.argv[2])
    run = wbnb.init(project="bench", settings={"finish_timeout": 600})
    t0 = time.perf_counter()
    row = {f"m{j}": 0.0 for j in range(keys)}
    for i in range(steps):
        row["m0"] = float(i)
        wbnb.log(row)
    logged = time.perf_counter() - t0
    run.finish()
    print(logged, time.perf_counter() - t0, flush=True)
"""
)


def clients(n: int, steps: int, env: dict[str, str]) -> list[tuple[float, float]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, str(steps), str(KEYS)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=1800)
        if p.returncode:
            raise SystemExit(f"client failed: {stderr}")
        logged, total = map(float, stdout.split())
        out.append((logged, total))
    return out


def bench_mlflow(steps: int) -> float | None:
    try:
        import mlflow  # noqa: F401
    except ImportError:
        return None
    import socket

    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = tempfile.mkdtemp()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--backend-store-uri",
            f"sqlite:///{tmp}/mlflow.db",
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = MlflowClient(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                exp = client.create_experiment("bench")
                break
            except Exception:
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.5)
        run = client.create_run(exp)
        now = int(time.time() * 1000)
        metrics = [Metric(f"m{j}", float(i), now, i) for i in range(steps) for j in range(KEYS)]
        t0 = time.perf_counter()
        for k in range(0, len(metrics), 1000):
            client.log_batch(run.info.run_id, metrics=metrics[k : k + 1000])
        return len(metrics) / (time.perf_counter() - t0)
    finally:
        server.terminate()
        server.wait()


def bench_restart(server: ServerProcess, env: dict[str, str]) -> None:
    code = textwrap.dedent("""
        import json, sys, time, wbnb
        run = wbnb.init(project="restart")
        costs = []
        t_end = time.monotonic() + 9
        while time.monotonic() < t_end:
            t0 = time.perf_counter_ns()
            wbnb.log({"loss": 0.5, "acc": 0.9})
            costs.append((time.monotonic(), (time.perf_counter_ns() - t0) / 1000))
            time.sleep(0.001)
        run.finish()
        print(json.dumps(costs))
    """)
    import json

    local = {k: v for k, v in env.items() if k not in ("WBNB_BASE_URL", "WBNB_API_KEY")}
    base = sorted(
        c
        for _, c in json.loads(
            subprocess.run([sys.executable, "-c", code], env=local, capture_output=True, text=True).stdout
        )
    )
    report("no server", base)
    p = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    time.sleep(3)
    server.kill()
    down_at = time.monotonic()
    time.sleep(3)
    server.start()
    up_at = time.monotonic()
    costs = json.loads(p.communicate(timeout=120)[0])
    phases = {
        "before": [c for t, c in costs if t < down_at],
        "server down": [c for t, c in costs if down_at <= t < up_at],
        "after": [c for t, c in costs if t >= up_at],
    }
    for name, values in phases.items():
        report(name, sorted(values))


def report(name: str, values: list[float]) -> None:
    print(
        f"  log() {name:12s} n={len(values):5d}  median {statistics.median(values):6.1f} µs  "
        f"p99 {values[int(0.99 * len(values))]:7.1f} µs  max {values[-1]:8.1f} µs"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--database", default=None, help="postgresql://... (default: the folder backend)")
    ap.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL and use it")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wbnb-bench-server-"))
    if args.postgres:
        from tests.server.pg import TempPostgres

        pg = TempPostgres(durable=True)
        pg.start()
        args.database = pg.create_database("bench")
        try:
            run(args, tmp)
        finally:
            pg.stop()
    else:
        run(args, tmp)


def run(args: argparse.Namespace, tmp: Path) -> None:
    server = ServerProcess(tmp / "root", database=args.database)
    server.start()
    try:
        key = make_key(server.root, "bench", database=args.database)
        env = {
            **os.environ,
            "WBNB_BASE_URL": server.url,
            "WBNB_API_KEY": key,
            "WBNB_DIR": str(tmp / "spool"),
            "WBNB_SILENT": "1",
            "WBNB_SYSTEM_INTERVAL": "0",
            "WBNB_CONSOLE": "0",
            "WBNB_CONFIG_DIR": str(tmp / "config"),
        }
        backend = "PostgreSQL" if args.database else "folder"
        print(f"wbnb server ({backend} backend) on loopback, {os.cpu_count()} cores, {KEYS} floats per step")
        [(logged, total)] = clients(1, args.steps, env)
        points = args.steps * KEYS
        print(
            f"1 client : {args.steps:,} steps logged in {logged:.2f} s, all on the server after {total:.2f} s "
            f"-> {points / total:,.0f} points/s end to end"
        )
        steps = max(args.steps // args.clients, 1)
        t0 = time.perf_counter()
        results = clients(args.clients, steps, env)
        wall = time.perf_counter() - t0
        print(
            f"{args.clients} clients: {steps:,} steps each, all on the server after {wall:.2f} s "
            f"-> {args.clients * steps * KEYS / wall:,.0f} points/s together "
            f"(slowest client {max(t for _, t in results):.2f} s)"
        )
        rate = bench_mlflow(min(args.steps, 20_000))
        if rate is None:
            print("MLflow: not installed (pip install mlflow), skipped")
        else:
            print(
                f"MLflow tracking server (sqlite) log_batch, 1000 metrics a call: {rate:,.0f} points/s "
                f"-> wbnb end to end is {points / total / rate:.1f}x"
            )
        print("server SIGKILLed at 3 s and restarted at 6 s while a run logs at ~1 kHz:")
        bench_restart(server, env)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
