"""log(), config, summary and console capture from several threads at once: nothing is
lost or mangled, and the steps stay in order (issue 13, finding 1)."""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import wbnb


@contextlib.contextmanager
def interleaving() -> Iterator[None]:
    """Make threads switch as often as the interpreter can, so races show."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def in_threads(n: int, work: Callable[[int], None]) -> None:
    """Run ``work(i)`` on ``n`` threads started together; re-raise the first error."""
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        start.wait()
        try:
            work(i)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    with interleaving():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]


def test_two_threads_logging_keep_every_row(store_dir: Path) -> None:
    run = wbnb.init(project="threads")
    in_threads(2, lambda n: [run.log({f"k{n}": i}) for i in range(20_000)])
    run.finish()

    public = wbnb.Api().run(f"threads/{run.id}")
    rows = list(public.scan_history())
    assert [r["_step"] for r in rows] == list(range(40_000))  # one step per call, none lost or repeated
    for n in range(2):
        assert [r[f"k{n}"] for r in rows if f"k{n}" in r] == list(range(20_000))  # each thread's order kept
    assert len(public.history(samples=100_000)) == 40_000


def test_commit_false_from_four_threads_keeps_steps_whole(store_dir: Path) -> None:
    run = wbnb.init(project="threads")

    def work(n: int) -> None:
        for i in range(5_000):
            run.log({f"t{n}/x": i}, commit=False)  # the step is the run's: other threads may commit it
            run.log({f"t{n}/y": i})

    in_threads(4, work)
    run.finish()

    public = wbnb.Api().run(f"threads/{run.id}")
    rows = list(public.scan_history())
    steps = [r["_step"] for r in rows]
    assert steps == sorted(set(steps))  # each step read back once: its records were consecutive
    for n in range(4):
        for key in (f"t{n}/x", f"t{n}/y"):
            assert [r[key] for r in rows if key in r] == list(range(5_000))
    assert sum(len(r) - 3 for r in rows) == 40_000  # every record's value, besides _step/_timestamp/_runtime
    frame = public.history(samples=100_000)
    assert len(frame) == len(rows) and frame["t3/y"].notna().sum() == 5_000


def test_summary_and_config_set_from_threads_while_logging(store_dir: Path) -> None:
    run = wbnb.init(project="threads")

    def work(n: int) -> None:
        for i in range(500):
            if n == 0:
                run.log({"loss": i})
            else:
                run.summary[f"s{n}_{i}"] = i
                run.config[f"c{n}_{i}"] = i

    in_threads(3, work)
    run.finish()

    public = wbnb.Api().run(f"threads/{run.id}")
    assert {k: v for k, v in public.summary.items() if k.startswith("s")} == {
        f"s{n}_{i}": i for n in (1, 2) for i in range(500)
    }
    assert public.config == {f"c{n}_{i}": i for n in (1, 2) for i in range(500)}
    assert [r["loss"] for r in public.scan_history()] == list(range(500))


def test_console_lines_printed_by_four_threads_are_all_recorded_whole(store_dir: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        run = wbnb.init(project="threads", settings={"console": True})

        def work(n: int) -> None:
            for i in range(10_000):
                print(f"thread {n} line {i}", "with parts", sep=", ")

        in_threads(4, work)
        run.finish()

    lines = [r["line"] for r in wbnb.Api().run(f"threads/{run.id}").console()]
    expected = [f"thread {n} line {i}, with parts" for n in range(4) for i in range(10_000)]
    assert len(lines) == 40_000 and sorted(lines) == sorted(expected)
    for n in range(4):  # each thread's lines in the order it printed them
        assert [x for x in lines if x.startswith(f"thread {n} ")] == expected[n * 10_000 : (n + 1) * 10_000]


def test_log_racing_finish_lands_before_or_says_finished(store_dir: Path) -> None:
    run = wbnb.init(project="threads")
    logged: list[int] = []
    refused: list[str] = []
    started = threading.Event()

    def loader() -> None:
        i = 0
        while True:
            try:
                run.log({"x": i})
            except RuntimeError as e:
                refused.append(str(e))
                return
            logged.append(i)
            started.set()
            i += 1

    thread = threading.Thread(target=loader)
    thread.start()
    started.wait(10)
    run.finish()
    thread.join(10)

    assert "is finished" in refused[0]
    rows = list(wbnb.Api().run(f"threads/{run.id}").scan_history())
    assert [r["x"] for r in rows] == logged  # every call that returned is stored, nothing after
