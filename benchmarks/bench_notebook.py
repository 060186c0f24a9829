"""Notebook figures (issue 4), in a real JupyterLab driven by headless Chromium. Prints.

    python benchmarks/bench_notebook.py [--pairs 30] [--steps 4000] [--blas-threads 1]

1. log() -> point drawn: a loop logs at 1 kHz for 5 s while the live panel is shown; the
   page notes, every animation frame, the highest step drawn; each step's latency is
   the first frame that shows it minus the time the kernel logged it (same clock).
2. Loop slowdown: a training-like loop (a 192x192 matmul and a log() per step) in blocks
   of ``--steps`` steps, alternately into the run whose live panel is displayed
   ("shown") and into a run with no panel ("none"), both open at once, in ABBA order
   with a pause after each block (so a block's trailing chart updates mostly do not
   land in the next one). Interleaving in one kernel keeps the baseline under the same
   machine load: on a shared 2-core machine two separate cells a minute apart differed
   by -10% to +60% with nothing changed. The figure is the median over block pairs of
   shown/none - 1, with a bootstrap 90% interval of that median: "<= 5% shown" only
   when the whole interval is at or below 5%. It is measured twice: with the notebook
   open in the browser, then with the browser tab gone (the panel still displayed in
   the kernel, its messages still sent to the server): the difference is what the
   browser costs the loop when both share the machine's cores.
   Next to it, figures that depend little on the machine's load: CPU seconds per
   second of loop of the kernel's feed threads (every chart's ``wbnb-widget-feed``; an
   upper bound on the GIL time they take from the loop), its IOPub thread (ZMQ sends)
   and its main thread; messages and bytes the page received; the CPU of Chromium, the
   Jupyter server, and every process outside this benchmark (the load it ran under);
   and what the page's main thread spent (all tasks, script, style, layout; Chromium's
   Performance metrics) during the shown and none blocks with the browser open: the
   difference is what drawing the live panel costs the page.

The kernel's BLAS runs on ``--blas-threads`` threads (default 1: a loop on one core,
like one driving a GPU; 0 keeps numpy's default of every core, where the matmul
competes with the browser and everything else for both cores and pairs differ by
+-50%). ``--pin`` puts every thread of the kernel on CPU 0 and the browser, the server
and this driver on the other CPUs, as on a machine with cores to spare (on 2 CPUs the
page then never draws on the loop's core; what remains is the kernel's own cost:
its feed and IOPub threads).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.jupyter_server import jupyter_server, open_notebook, run_cell, wait_file, write_notebook  # noqa: E402
from tests.widgets.harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

RATE_STEPS = 5000
PHASES = ("open", "closed")  # the notebook open in the browser, then no browser tab
# The loop cell: waits for the driver's "go-<phase>" file before each phase (the driver
# arranges the browser), writes "done-<phase>" after it and the figures to loop.json.
LOOP = """
import json, os, threading, time, numpy as np
rng = np.random.default_rng(0)
a, b = rng.random((192, 192)), rng.random((192, 192))
hidden = wbnb.init(project='bench', settings={'system_interval': 0, 'console': False, 'live_panel': False},
                   reinit='create_new')
def thread_cpu():
    # CPU seconds per kind of thread (ns resolution, read from this thread).
    out = {'process': time.process_time()}
    for t in threading.enumerate():
        kind = {'MainThread': 'main', 'wbnb-widget-feed': 'feed', 'IOPub': 'iopub'}.get(t.name)
        if kind:
            try:
                out[kind] = out.get(kind, 0.0) + time.clock_gettime(time.pthread_getcpuclockid(t.ident))
            except (OSError, ProcessLookupError):  # the thread just ended
                pass
    return out
def block(r):
    t0 = time.perf_counter()
    for i in range(STEPS):
        loss = float((a @ b).mean())
        r.log({'loss': loss, 'step_time': i})
    return time.perf_counter() - t0
block(run); block(hidden); time.sleep(2)  # warm up; the panel makes its two new charts
blocks = []
for phase in PHASES:
    while not os.path.exists('go-' + phase):
        time.sleep(0.05)
    for k in range(PAIRS):
        for label in (('shown', 'none') if k % 2 == 0 else ('none', 'shown')):
            c0, w0 = thread_cpu(), time.time()
            secs = block(run if label == 'shown' else hidden)
            c1 = thread_cpu()
            blocks.append({'phase': phase, 'pair': k, 'label': label, 'start': w0, 'end': time.time(),
                           'secs': secs, 'cpu': {x: c1[x] - c0[x] for x in c1 if x in c0}})
            time.sleep(0.5)
    open('done-' + phase, 'w').close()
hidden.finish()
wbnb.finish()
with open('loop.json', 'w') as f:
    json.dump(blocks, f)
print('LOOP DONE')
"""
CELLS = [
    "import time, wbnb\nrun = wbnb.init(project='bench', settings={'system_interval': 0, 'console': False})",
    # 1 kHz: each step waits for its slot, then logs.
    f"t0 = time.perf_counter()\nfor i in range({RATE_STEPS}):\n"
    "    while time.perf_counter() < t0 + i / 1000:\n        pass\n"
    "    wbnb.log({'x': i})\nprint('rate done')",
]
# Every animation frame: (wall ms, highest step drawn in the chart of "x"), until
# ``__sampling`` is cleared (a rAF loop keeps Chromium making frames: a cost of its own).
SAMPLER = """() => {
  window.__drawn = [];
  window.__sampling = true;
  const tick = () => {
    if (!window.__sampling) return;
    const el = document.querySelector('.wbnb-curves');
    const c = el && el.__wbnb && el.__wbnb.charts.get('x');
    if (c && c.view) {
      let top = -1;
      for (const d of c.view.data('points')) if (d.s > top) top = d.s;
      window.__drawn.push([Date.now(), top]);
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""

# (time s, bytes) of every websocket message the page receives.
FRAMES = """(() => {
  const Socket = window.WebSocket;
  window.__frames = [];
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const d = e.data;
        window.__frames.push([Date.now() / 1000, typeof d === 'string' ? d.length : (d.byteLength ?? d.size)]);
      });
    }
  };
})()"""


def process_kind(proc: Any) -> str:
    """Which of this benchmark's processes ``proc`` is: chromium, kernel, server or driver."""
    import psutil

    try:
        name, cmd = proc.name(), " ".join(proc.cmdline())
    except psutil.Error:
        return "other"
    if "chrom" in name or "chrom" in cmd.split(" ")[0]:
        return "chromium"
    if "ipykernel" in cmd:
        return "kernel"
    if "jupyterlab" in cmd or "jupyter-lab" in cmd:
        return "server"
    return "driver"  # this script and playwright's node driver


def pin() -> str:
    """Every thread of the kernel on CPU 0, every thread of the browser, the server and
    this driver on the other CPUs (as on a machine with cores to spare, where the page
    does not draw on the training loop's core). Threads one by one: Linux sets a
    process's affinity per thread."""
    import psutil

    cpus = sorted(os.sched_getaffinity(0))
    kernel, rest = {cpus[0]}, set(cpus[1:])
    me = psutil.Process()
    for proc in [me, *me.children(recursive=True)]:
        try:
            target = kernel if process_kind(proc) == "kernel" else rest
            for th in proc.threads():
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(th.id, target)
        except psutil.Error:
            pass
    return f"kernel on CPU {cpus[0]}, browser / server / driver on {sorted(rest)}"


class CpuSampler:
    """Cumulative CPU seconds of this benchmark's processes by kind (Chromium, the
    Jupyter server, the kernel) and of the whole machine, sampled every 0.1 s, so a
    time window's CPU can be read off afterwards (``between``)."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._procs: dict[int, tuple[Any, str]] = {}
        self._last: dict[int, float] = {}  # each process's latest reading
        self._dead: dict[str, float] = {}  # CPU of processes that ended, by kind
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> dict[str, float]:
        ps = self._psutil
        me = ps.Process()
        live = {p.pid: p for p in [me, *me.children(recursive=True)]}
        for pid, proc in live.items():
            if pid not in self._procs:
                self._procs[pid] = (proc, process_kind(proc))
        out = dict(self._dead)
        for pid, (proc, kind) in list(self._procs.items()):
            try:
                t = proc.cpu_times()
            except ps.Error:  # it ended: its last reading stays counted
                del self._procs[pid]
                last = self._last.pop(pid, 0.0)
                self._dead[kind] = self._dead.get(kind, 0.0) + last
                out[kind] = out.get(kind, 0.0) + last
                continue
            self._last[pid] = t.user + t.system
            out[kind] = out.get(kind, 0.0) + self._last[pid]
        mine = sum(out.values())
        total = ps.cpu_times()
        busy = total.user + total.nice + total.system + total.irq + total.softirq + getattr(total, "steal", 0.0)
        out["others"] = busy - mine  # every process outside this benchmark (load from elsewhere)
        return out

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.samples.append((time.time(), self.sample()))

    def between(self, t0: float, t1: float) -> dict[str, float]:
        """CPU seconds per kind between two wall times (linear between samples)."""

        def at(t: float) -> dict[str, float]:
            s = self.samples
            i = next((j for j in range(1, len(s)) if s[j][0] >= t), len(s) - 1)
            (ta, a), (tb, b) = s[i - 1], s[i]
            f = 0.0 if tb == ta else min(1.0, max(0.0, (t - ta) / (tb - ta)))
            return {k: a.get(k, 0.0) + f * (b.get(k, 0.0) - a.get(k, 0.0)) for k in b}

        a, b = at(t0), at(t1)
        return {k: b[k] - a.get(k, 0.0) for k in b}


class PageMetrics:
    """What the page's renderer spent its main thread on (Chromium's ``Performance``
    domain: script, style, layout, all tasks), sampled every 0.25 s while the driver
    waits, so the open phase's blocks can be told apart."""

    KINDS = {
        "TaskDuration": "tasks",
        "ScriptDuration": "script",
        "RecalcStyleDuration": "style",
        "LayoutDuration": "layout",
    }

    def __init__(self, page: Any) -> None:
        self._cdp = page.context.new_cdp_session(page)
        self._cdp.send("Performance.enable")
        self.samples: list[tuple[float, dict[str, float]]] = []

    def sample_until(self, path: Path, timeout: float = 1800) -> None:
        end = time.time() + timeout
        while not path.exists():
            if time.time() > end:
                raise TimeoutError(f"{path.name} did not appear")
            got = {m["name"]: m["value"] for m in self._cdp.send("Performance.getMetrics")["metrics"]}
            self.samples.append((time.time(), {v: got.get(k, 0.0) for k, v in self.KINDS.items()}))
            time.sleep(0.25)

    def report(self, blocks: list[dict[str, Any]]) -> None:
        print("  the page's main thread, ms per second of loop  tasks script style layout")
        for label in ("shown", "none"):
            spent = dict.fromkeys(self.KINDS.values(), 0.0)
            secs = 0.0
            for b in blocks:
                inside = [(t, m) for t, m in self.samples if b["start"] <= t <= b["end"]]
                if b["phase"] != "open" or b["label"] != label or len(inside) < 2:
                    continue
                (t0, m0), (t1, m1) = inside[0], inside[-1]
                secs += t1 - t0
                for k in spent:
                    spent[k] += m1[k] - m0[k]
            if secs:
                print(
                    f"  open   {label:5s} {'':39s}"
                    + " ".join(f"{1000 * spent[k] / secs:6.1f}" for k in ("tasks", "script", "style", "layout"))
                )


def median_ci(values: list[float], level: float = 0.90, rounds: int = 4000) -> tuple[float, float, float]:
    """Median and a bootstrap ``level`` interval of it (resampling the pairs; seeded)."""
    rng = random.Random(0)
    meds = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    lo = meds[int((1 - level) / 2 * rounds)]
    hi = meds[int((1 + level) / 2 * rounds) - 1]
    return statistics.median(values), lo, hi


def latency_report(drawn: list[list[float]], cols: dict[str, Any]) -> None:
    logged = {int(s): 1000.0 * t for s, t, x in zip(cols["_step"], cols["_timestamp"], cols["x"]) if x == x}
    first_seen: dict[int, float] = {}
    done = -1
    for now, top in drawn:
        while done < top:
            done += 1
            first_seen.setdefault(done, now)
    lat = sorted(first_seen[s] - logged[s] for s in logged if s in first_seen)
    if not lat:
        print("log() -> drawn: no frame showed the logged steps")
        return
    p95 = lat[int(0.95 * (len(lat) - 1))]
    print(
        f"log() -> drawn in JupyterLab at 1 kHz (target p95 <= 250 ms): median {statistics.median(lat):.0f} ms, "
        f"p95 {p95:.0f} ms over {len(lat)} steps"
    )


def loop_report(blocks: list[dict[str, Any]], cpu: CpuSampler, frames: list[list[float]], steps: int) -> None:
    print(
        f"training loop slowdown, {steps}-step blocks into the run whose panel is shown vs a run with none, "
        f"interleaved ABBA (target <= 5%):"
    )
    for phase in PHASES:
        pairs: dict[int, dict[str, float]] = {}
        for b in blocks:
            if b["phase"] == phase:
                pairs.setdefault(b["pair"], {})[b["label"]] = b["secs"]
        ratios = [100 * (p["shown"] / p["none"] - 1) for p in pairs.values()]
        med, lo, hi = median_ci(ratios)
        q = statistics.quantiles(ratios, n=4)
        verdict = "<= 5% shown" if hi <= 5 else "> 5% shown" if lo > 5 else "not decided by these pairs"
        where = "browser open  " if phase == "open" else "browser closed"
        print(
            f"  {where}: median of {len(ratios)} pair ratios {med:+.1f}%, 90% CI {lo:+.1f}..{hi:+.1f}% "
            f"(IQR {q[0]:+.1f}..{q[2]:+.1f}%): {verdict}"
        )
    print("  % of one core per second of loop   feed  IOPub  main | Chromium server others | page msg/s kB/s")
    for phase in PHASES:
        for label in ("shown", "none"):
            lb = [b for b in blocks if b["phase"] == phase and b["label"] == label]
            secs = sum(b["end"] - b["start"] for b in lb)
            kernel = {k: 100 * sum(b["cpu"].get(k, 0.0) for b in lb) / secs for k in ("feed", "iopub", "main")}
            procs: dict[str, float] = {}
            for b in lb:
                for k, v in cpu.between(b["start"], b["end"]).items():
                    procs[k] = procs.get(k, 0.0) + 100 * v / secs
            got = [size for t, size in frames if any(b["start"] <= t <= b["end"] for b in lb)]
            print(
                f"  {phase:6s} {label:5s} {'':25s} {kernel['feed']:5.2f} {kernel['iopub']:6.2f} {kernel['main']:5.1f} |"
                f" {procs.get('chromium', 0):8.1f} {procs.get('server', 0):6.1f} {procs.get('others', 0):6.1f} |"
                f" {len(got) / secs:10.1f} {sum(got) / secs / 1000:5.0f}"
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=30, help="block pairs per phase")
    ap.add_argument("--steps", type=int, default=4000, help="steps per block")
    ap.add_argument("--blas-threads", type=int, default=1, help="OpenBLAS/OpenMP threads in the kernel (0: numpy's)")
    ap.add_argument("--pin", action="store_true", help="the kernel on CPU 0, the browser and the rest on the others")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from wbnb.store.local import LocalStore

    env = {}
    if args.blas_threads:
        env = {k: str(args.blas_threads) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; BLAS threads in the kernel: "
        f"{args.blas_threads or 'default'}"
    )
    with tempfile.TemporaryDirectory() as tmp, CpuSampler() as cpu:
        root = Path(tmp)
        loop = LOOP.replace("PHASES", repr(PHASES)).replace("PAIRS", str(args.pairs)).replace("STEPS", str(args.steps))
        write_notebook(root / "bench.ipynb", [*CELLS, loop])
        with jupyter_server(root, {"WBNB_DIR": str(root / "wbnb-runs"), **env}) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(FRAMES)
            open_notebook(page, base, "bench.ipynb")
            page.keyboard.press("Shift+Enter")
            page.wait_for_selector(".wbnb-curves", timeout=120_000)
            page.evaluate(SAMPLER)
            run_cell(page, "rate done")
            time.sleep(1.0)  # the last frames
            drawn = page.evaluate("() => { window.__sampling = false; return window.__drawn; }")
            page.keyboard.press("Shift+Enter")  # the loop cell
            renderer = PageMetrics(page)
            if args.pin:
                time.sleep(2.0)  # the loop cell's warm-up: its threads exist
                print(f"pinned: {pin()}")
            (root / "go-open").touch()
            renderer.sample_until(root / "done-open")
            frames = page.evaluate("() => window.__frames")
            page.goto("about:blank")  # the tab is gone; the kernel and its panel go on
            (root / "go-closed").touch()
            wait_file(root / "loop.json")
            browser.close()
        blocks = json.loads((root / "loop.json").read_text())
        meta = next(m for m in LocalStore(root / "wbnb-runs").runs("bench") if m.get("summary", {}).get("x"))
        cols = LocalStore(root / "wbnb-runs").columns("bench", meta["id"])
        latency_report(drawn, cols)
        loop_report(blocks, cpu, frames, args.steps)
        renderer.report(blocks)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
