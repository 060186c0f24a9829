"""Background sampling of machine, process, disk/network and NVIDIA GPU utilisation.

psutil is imported inside the sampling code, never at module import, to keep
``import wbnb`` fast.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import warnings
from collections.abc import Callable
from typing import Any

_MB = 1024 * 1024
_GPU_QUERY = "index,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw"


def query_nvidia_smi(fields: str, timeout: float = 5.0) -> str | None:
    """Run ``nvidia-smi --query-gpu=<fields>`` as headerless, unitless CSV.

    Returns the CSV text, or None when nvidia-smi is not on PATH, fails or times out.
    """
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        done = subprocess.run(
            [exe, f"--query-gpu={fields}", "--format=csv,noheader,nounits"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def _number(text: str) -> float | None:
    """A CSV field as a float; None for "[N/A]", "[Not Supported]" and the like."""
    try:
        return float(text)
    except ValueError:
        return None


def parse_nvidia_smi(csv_text: str) -> dict[str, float]:
    """Parse the CSV of ``index,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw``.

    Returns flat ``system/gpu.{i}.*`` keys; fields a GPU does not report are skipped.
    """
    out: dict[str, float] = {}
    for row, line in enumerate(csv_text.strip().splitlines()):
        fields = [_number(f.strip()) for f in line.split(",")]
        if len(fields) != 6:
            continue
        index, util, mem_used, mem_total, temp, power = fields
        prefix = f"system/gpu.{int(index) if index is not None else row}."
        values = {"util_percent": util, "memory_used_mb": mem_used, "temp_c": temp, "power_w": power}
        if mem_used is not None and mem_total:
            values["memory_percent"] = 100.0 * mem_used / mem_total
        out.update({prefix + k: v for k, v in values.items() if v is not None})
    return out


class SystemMonitor:
    """Samples system metrics on a daemon thread and hands each sample to ``emit``.

    Failures in sampling or in ``emit`` are warned about once and never stop the
    thread or reach the caller.
    """

    def __init__(
        self,
        emit: Callable[[dict[str, float]], None],
        interval: float = 5.0,
        pid: int | None = None,
    ) -> None:
        self._emit = emit
        self._interval = interval
        self._pid = pid if pid is not None else os.getpid()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._proc: Any = None  # psutil.Process, created on the first sample
        self._baseline: dict[str, float] = {}  # disk/net byte counters at the first sample
        self._warned = False

    def start(self) -> None:
        """Start the sampling thread (no-op when it is already running)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="wbnb-system-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread and wait up to ``timeout`` seconds for it; idempotent, never raises."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def sample(self) -> dict[str, float]:
        """Take one sample now; a group of metrics that cannot be read is left out."""
        out: dict[str, float] = {}
        # _process goes first: it primes the CPU counters and byte baselines.
        for part in (self._process, self._machine, self._io, self._gpus):
            try:
                out.update(part())
            except Exception as exc:
                self._warn(f"wbnb: could not sample system metrics ({exc!r})")
        return out

    def _run(self) -> None:
        try:
            self._prime()
        except Exception as exc:
            self._warn(f"wbnb: could not sample system metrics ({exc!r})")
        # A short first wait gives the CPU percentages a real interval to measure.
        wait = min(self._interval, 0.5)
        while not self._stop.wait(wait):
            try:
                self._emit(self.sample())
            except Exception as exc:
                self._warn(f"wbnb: could not record system metrics ({exc!r})")
            wait = self._interval

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(message, RuntimeWarning, stacklevel=2)

    def _prime(self) -> None:
        """Create the process handle, start the CPU counters and record byte baselines."""
        if self._proc is not None:
            return
        import psutil

        # psutil's first cpu_percent(None) call only starts the measurement.
        psutil.cpu_percent(None)
        self._baseline = self._io_counters()
        self._proc = psutil.Process(self._pid)
        self._proc.cpu_percent(None)

    def _machine(self) -> dict[str, float]:
        import psutil

        return {
            "system/cpu_percent": psutil.cpu_percent(None),
            "system/memory_percent": psutil.virtual_memory().percent,
            "system/disk_used_percent": psutil.disk_usage(os.getcwd()).percent,
        }

    def _process(self) -> dict[str, float]:
        self._prime()
        with self._proc.oneshot():
            return {
                "system/proc_rss_mb": self._proc.memory_info().rss / _MB,
                "system/proc_cpu_percent": self._proc.cpu_percent(None),
                "system/proc_threads": float(self._proc.num_threads()),
            }

    @staticmethod
    def _io_counters() -> dict[str, float]:
        """Machine-wide disk and network byte counters, in MB; absent ones are skipped."""
        import psutil

        counters: dict[str, float] = {}
        disk = psutil.disk_io_counters()
        if disk is not None:  # None in some containers and VMs
            counters["system/disk_read_mb"] = disk.read_bytes / _MB
            counters["system/disk_write_mb"] = disk.write_bytes / _MB
        net = psutil.net_io_counters()
        if net is not None:
            counters["system/net_sent_mb"] = net.bytes_sent / _MB
            counters["system/net_recv_mb"] = net.bytes_recv / _MB
        return counters

    def _io(self) -> dict[str, float]:
        self._prime()
        now = self._io_counters()
        return {k: v - self._baseline.get(k, v) for k, v in now.items()}

    @staticmethod
    def _gpus() -> dict[str, float]:
        csv_text = query_nvidia_smi(_GPU_QUERY)
        return parse_nvidia_smi(csv_text) if csv_text else {}
