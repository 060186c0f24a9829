"""System: Curves over the system stream, in sections, following a live run."""

from __future__ import annotations

import time
from typing import Any

from .harness import Harness, record


def _samples(run: Any, n: int, start: int = 0) -> None:
    t0 = time.time()
    for i in range(start, start + n):
        run._writer.log_system(
            t0 + i,
            float(i),
            {
                "system/cpu_percent": 10.0 + i % 7,
                "system/memory_percent": 40.0 + i / 10,
                "system/proc_rss_mb": 300.0 + i,
                "system/gpu.0.util_percent": 90.0 - i % 5,
                "system/gpu.0.memory_used_mb": 1000.0,
                "system/disk_read_mb": i * 2.0,
                "system/net_sent_mb": i * 0.5,
                "system/proc_threads": 12.0,
            },
        )


def test_display_keys_make_sections() -> None:
    from wbnb.widgets.system import display_key

    assert display_key("system/cpu_percent") == "CPU/cpu_percent"
    assert display_key("system/proc_cpu_percent") == "CPU/proc_cpu_percent"
    assert display_key("system/proc_threads") == "CPU/proc_threads"
    assert display_key("system/memory_percent") == "Memory/memory_percent"
    assert display_key("system/proc_rss_mb") == "Memory/proc_rss_mb"
    assert display_key("system/gpu.0.util_percent") == "GPU/gpu.0.util_percent"
    assert display_key("system/gpu.1.memory_used_mb") == "GPU/gpu.1.memory_used_mb"
    assert display_key("system/disk_read_mb") == "Disk/disk_read_mb"
    assert display_key("system/net_recv_mb") == "Network/net_recv_mb"
    assert display_key("system/something_new") == "Other/something_new"


def test_reads_the_system_stream_not_history_and_follows_it(store_dir: Any) -> None:
    import wbnb
    from wbnb.widgets import System

    run = wbnb.init(project="p", name="sys")
    run.log({"loss": 1.0})
    _samples(run, 20)
    w = System(run, min_interval=3600)
    assert w.metric_keys == sorted(w.metric_keys, key=lambda k: (k.split("/")[0], k))
    assert "loss" not in w.metric_keys and "CPU/cpu_percent" in w.metric_keys
    assert {k.split("/")[0] for k in w.metric_keys} == {"CPU", "Memory", "GPU", "Disk", "Network"}
    assert w.x_axis == "relative"
    assert len(w.series.frame("CPU/cpu_percent")) == 20
    comm = record(w)
    _samples(run, 5, start=20)
    for src in w._feed.sources:
        src._next_poll = 0  # poll now
    sent = w._feed.tick()  # a delta, or a snapshot when the load was over 2 s ago
    ((msg, bufs),) = comm.take()
    if sent == "delta":
        assert {u["key"] for u in msg["content"]["upd"]} >= {"CPU/cpu_percent", "GPU/gpu.0.util_percent"}
    else:
        assert sent == "snapshot" and msg["method"] == "update"
    assert len(w.series.frame("CPU/cpu_percent")) == 25
    w.close()
    run.finish()


def test_draws_sections_in_the_browser(store_dir: Any, harness: Harness) -> None:
    import wbnb
    from wbnb.widgets import System

    run = wbnb.init(project="p", name="sys")
    _samples(run, 50)
    run.finish()
    w = System(run, min_interval=3600)
    harness.mount(w, "curves")
    harness.page.wait_for_function(
        """() => {
        const el = document.querySelector('.wbnb-curves');
        if (!el || !el.__wbnb) return false;
        const cs = [...el.__wbnb.charts.values()];
        return cs.length === 8 && cs.every(c => c.view && c.view.data('points').length === 50);
    }""",
        timeout=20_000,
    )
    sections = harness.page.locator(".wbnb-curves .wbnb-section > summary").all_inner_texts()
    assert sections == ["CPU", "Disk", "GPU", "Memory", "Network"]
    harness.screenshot("system-panel")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_views_of_one_system_model_mounted_with_keys(store_dir: Any, harness: Harness) -> None:
    """The run panel mounts a Curves view per system key over one System model: each draws
    its key alone, without section heads, and both take the model's new samples."""
    import wbnb
    from wbnb.widgets import System

    run = wbnb.init(project="p", name="sys")
    _samples(run, 20)
    w = System(run, min_interval=3600)
    comm = record(w)
    cpu, memory = "CPU/cpu_percent", "Memory/memory_percent"
    assert {cpu, memory} <= set(w.metric_keys)
    harness.mount(w, "curves", keys=[cpu])
    harness.mount(w, "curves", keys=[memory])
    drawn = """() => [...document.querySelectorAll('.wbnb-curves')].map(el => [...el.__wbnb.charts].map(
        ([k, c]) => [k, c.view ? c.view.data('points').length : -1]))"""
    harness.page.wait_for_function(f'() => JSON.stringify(({drawn})()) === \'[[["{cpu}",20]],[["{memory}",20]]]\'')
    assert harness.page.locator(".wbnb-section").count() == 0
    _samples(run, 10, start=20)
    w._feed.tick()
    harness.deliver(w, comm.take())
    harness.page.wait_for_function(f'() => JSON.stringify(({drawn})()) === \'[[["{cpu}",30]],[["{memory}",30]]]\'')
    run.finish()
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]
