"""A forked child never ends, writes or damages its parent's run (issue 13, finding 3).

Each case is a script run in a fresh interpreter: the parent logs, forks, waits for
the child, logs across several pages of its log more, and finishes; the run must read
back whole and finished, once, by the parent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import wbnb

ROOT = Path(__file__).resolve().parents[1]

PARENT = """
import os, sys, multiprocessing
import wbnb
run = wbnb.init(project="fork", settings={{"console": True, "system_interval": 0.05}})
print("parent before the fork")
for i in range(1000):
    wbnb.log({{"x": i, "pad": "p" * 40}})
{fork}
print("parent after the fork")
for i in range(1000, 3000):  # a killed or truncated log would SIGBUS here
    wbnb.log({{"x": i, "pad": "p" * 40}})
print(json.dumps({{"id": run.id, "pid": os.getpid()}}))
wbnb.finish()
"""

FORK = """
pid = os.fork()
if pid == 0:
{child}
os.waitpid(pid, 0)
"""

CHILDREN = {
    "sys_exit": "sys.exit(0)",
    "os_exit": "os._exit(3)",
    "raise": "raise ValueError('the child failed')",
    "log_then_exit": "wbnb.log({'x': -1}); wbnb.log({'x': -2}); run.summary['child'] = 1; sys.exit(0)",
    "finish": "wbnb.finish(); run.finish(); sys.exit(0)",
    "context_manager": "with run: pass\nsys.exit(0)",
    "prints": "print('CHILD OUTPUT'); sys.exit(0)",
}

MULTIPROCESSING = """
def child():
    print("CHILD OUTPUT")
    wbnb.log({"x": -1})
    raise ValueError("the child failed")
proc = multiprocessing.get_context("fork").Process(target=child)
proc.start()
proc.join()
"""


def run_script(tmp_path: Path, fork: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    script = tmp_path / "script.py"
    script.write_text("import json\n" + PARENT.format(fork=fork))
    env = {**os.environ, "WBNB_DIR": str(tmp_path / "store"), "PYTHONPATH": str(ROOT)}
    env.pop("WBNB_SILENT", None)
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ids = json.loads(next(line for line in done.stdout.splitlines() if line.startswith('{"id"')))
    return done, ids


def check_parent_run(tmp_path: Path, done: subprocess.CompletedProcess[str], ids: dict) -> wbnb.api.Run:
    public = wbnb.Api({"dir": str(tmp_path / "store")}).run(f"fork/{ids['id']}")
    assert public.state == "finished" and public.meta["pid"] == ids["pid"]
    assert [r["x"] for r in public.scan_history()] == list(range(3000))
    assert done.stdout.count(f"(fork/{ids['id']}) finished") == 1  # the summary's title: finished once, by the parent
    lines = [r["line"] for r in public.console()]
    assert lines.count("parent before the fork") == 1 and lines.count("parent after the fork") == 1
    assert "CHILD OUTPUT" not in lines  # the child's output is not the parent's run's
    return public


@pytest.mark.parametrize("child", sorted(CHILDREN))
def test_a_forked_child_leaves_the_parents_run_alone(tmp_path: Path, child: str) -> None:
    code = textwrap.indent(CHILDREN[child], "    ")
    done, ids = run_script(tmp_path, FORK.format(child=code))
    public = check_parent_run(tmp_path, done, ids)
    if child == "log_then_exit":
        said = done.stderr.count(f"belongs to process {ids['pid']}; call wbnb.init() in the child to log from it")
        assert said == 1  # warned once, for two rows and a summary change
        assert "child" not in public.summary
    if child == "raise":
        assert "ValueError: the child failed" in done.stderr
        assert not any(ev.get("kind") == "exception" for ev in public.events())


def test_a_multiprocessing_fork_child_that_raises(tmp_path: Path) -> None:
    done, ids = run_script(tmp_path, MULTIPROCESSING)
    check_parent_run(tmp_path, done, ids)
    assert "ValueError: the child failed" in done.stderr


def test_init_in_a_forked_child_starts_a_run_of_its_own(tmp_path: Path) -> None:
    child = textwrap.indent(
        textwrap.dedent("""
        mine = wbnb.init(project="fork")
        assert mine is not run and wbnb.run is mine
        for i in range(5):
            wbnb.log({"y": i})
        print(json.dumps({"child": mine.id}), flush=True)
        sys.exit(0)  # the exit hook finishes the child's own run
        """),
        "    ",
    )
    done, ids = run_script(tmp_path, FORK.format(child=child))
    check_parent_run(tmp_path, done, ids)
    child_id = json.loads(next(line for line in done.stdout.splitlines() if '"child"' in line))["child"]
    mine = wbnb.Api({"dir": str(tmp_path / "store")}).run(f"fork/{child_id}")
    assert mine.state == "finished" and [r["y"] for r in mine.scan_history()] == list(range(5))
