"""``wbnb.agent`` in a real Jupyter kernel: the trials run in the cell's thread, and
interrupting the kernel stops the trial (run killed, trial stopped) and shows the
KeyboardInterrupt in the cell, as any interrupted cell does."""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_client.manager import start_new_kernel

from tests.waiting import wait_for
from wbnb.store.errors import StoreError
from wbnb.store.local import LocalStore
from wbnb.sweeps.books import book_for

CELL = """
import time, wbnb
sweep_id = wbnb.sweep({"method": "grid", "parameters": {"lr": {"values": [0.1, 0.2]}}}, project="k")
def train():
    wbnb.init()
    while True:
        wbnb.log({"loss": 1.0})
        time.sleep(0.02)
wbnb.agent(sweep_id, function=train)
"""


def test_interrupting_the_kernel_stops_the_trial_and_shows_the_interrupt(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    env = {**os.environ, "WBNB_DIR": str(root), "WBNB_SILENT": "1", "WBNB_CONSOLE": "0", "WBNB_SYSTEM_INTERVAL": "0"}
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    store = LocalStore(root)
    try:
        msg_id = kc.execute(CELL, stop_on_error=False)  # the next cell runs after the interrupt

        def running() -> bool:
            try:  # the kernel may be making the book's file
                sweeps = book_for(store).sweeps("k")
                return bool(sweeps) and any(t.state == "running" for t in book_for(store).trials("k", sweeps[0].id))
            except StoreError:
                return False

        wait_for(running, timeout=120, what="a trial running in the kernel")
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kc.get_shell_msg(timeout=60)
        assert (reply["content"]["status"], reply["content"]["ename"]) == ("error", "KeyboardInterrupt")
        after = kc.execute_interactive("assert wbnb.run is None", timeout=60)
        assert after["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    (sweep,) = book_for(store).sweeps("k")
    (t,) = book_for(store).trials("k", sweep.id)  # no second trial after the interrupt
    assert t.state == "stopped"
    assert store.run("k", t.run_id)["state"] == "killed"
