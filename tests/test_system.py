import os
import stat
import sys
import threading

from wbnb.sdk.system import SystemMonitor, parse_nvidia_smi

PROCESS_KEYS = {"system/proc_rss_mb", "system/proc_cpu_percent", "system/proc_threads"}

# Two GPUs as `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total,
# temperature.gpu,power.draw --format=csv,noheader,nounits` prints them; the second
# does not report its power draw.
NVIDIA_SMI_CSV = """0, 87, 30512, 81559, 64, 312.45
1, 0, 4, 81559, 31, [N/A]
"""


def test_parse_nvidia_smi():
    parsed = parse_nvidia_smi(NVIDIA_SMI_CSV)
    assert parsed["system/gpu.0.util_percent"] == 87
    assert parsed["system/gpu.0.memory_used_mb"] == 30512
    assert abs(parsed["system/gpu.0.memory_percent"] - 100 * 30512 / 81559) < 1e-9
    assert parsed["system/gpu.0.temp_c"] == 64
    assert parsed["system/gpu.0.power_w"] == 312.45
    assert parsed["system/gpu.1.util_percent"] == 0
    assert "system/gpu.1.power_w" not in parsed
    assert len(parsed) == 9


def test_parse_nvidia_smi_ignores_garbage():
    assert parse_nvidia_smi("") == {}
    assert parse_nvidia_smi("NVIDIA-SMI has failed because it couldn't communicate with the driver.") == {}
    assert parse_nvidia_smi("0, [N/A], [N/A], [N/A], [N/A], [N/A]") == {}


def test_sample_has_machine_and_process_keys():
    sample = SystemMonitor(lambda s: None).sample()
    assert PROCESS_KEYS | {"system/cpu_percent", "system/memory_percent", "system/disk_used_percent"} <= set(sample)
    assert sample["system/proc_rss_mb"] > 0
    assert sample["system/proc_threads"] >= 1
    assert 0 <= sample["system/memory_percent"] <= 100
    assert all(isinstance(v, float) for v in sample.values())
    for key in ("system/disk_read_mb", "system/net_sent_mb"):
        assert sample.get(key, 0.0) >= 0  # cumulative since the first sample


def test_sample_reads_gpus_from_nvidia_smi_on_path(tmp_path, monkeypatch):
    script = tmp_path / "nvidia-smi"
    script.write_text(f"#!{sys.executable}\nprint({NVIDIA_SMI_CSV!r}, end='')\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    sample = SystemMonitor(lambda s: None).sample()
    assert sample["system/gpu.0.util_percent"] == 87
    assert sample["system/gpu.1.memory_used_mb"] == 4
    assert PROCESS_KEYS <= set(sample)


def test_thread_emits_samples_and_stops_quickly():
    samples = []
    got_two = threading.Event()

    def emit(sample):
        samples.append(sample)
        if len(samples) >= 2:
            got_two.set()

    monitor = SystemMonitor(emit, interval=0.05)
    monitor.start()
    assert got_two.wait(30)
    monitor.stop(timeout=30)
    assert not monitor._thread.is_alive()  # it ended: nothing can come after stop
    monitor.stop()  # idempotent
    assert all(PROCESS_KEYS <= set(s) and s["system/proc_rss_mb"] > 0 for s in samples)


def test_long_interval_stops_immediately():
    sampled = threading.Event()
    monitor = SystemMonitor(lambda s: sampled.set(), interval=60)
    monitor.start()
    assert sampled.wait(10)  # now in its 60 s wait
    monitor.stop(timeout=10)
    assert not monitor._thread.is_alive()  # woken by stop(), not left to its 60 s wait


def test_failing_emit_is_warned_once_and_keeps_sampling(recwarn):
    calls = []
    again = threading.Event()

    def emit(sample):
        calls.append(sample)
        if len(calls) >= 3:
            again.set()
        raise RuntimeError("store closed")

    monitor = SystemMonitor(emit, interval=0.02)
    monitor.start()
    assert again.wait(10)
    monitor.stop()
    assert len([w for w in recwarn if "store closed" in str(w.message)]) == 1


def test_stop_without_start_is_harmless():
    SystemMonitor(lambda s: None).stop()


def test_missing_process_is_warned_and_the_rest_still_sampled(recwarn):
    monitor = SystemMonitor(lambda s: None, pid=2**22 + 12345)  # above Linux's pid_max
    sample = monitor.sample()
    monitor.sample()
    assert "system/memory_percent" in sample
    assert not PROCESS_KEYS & set(sample)
    assert len([w for w in recwarn if "could not sample" in str(w.message)]) == 1
