import contextlib
import io
import sys
import threading

import pytest

from wbnb.sdk.console import ConsoleCapture


@contextlib.contextmanager
def fake_console():
    """Swap in-memory stdout/stderr for the duration of a test body.

    Not a fixture: pytest re-installs its own capture streams between setup and call.
    """
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        yield sys.stdout, sys.stderr
    finally:
        sys.stdout, sys.stderr = saved


def recording():
    lines = []
    return ConsoleCapture(lambda name, line: lines.append((name, line))), lines


def test_print_lines_and_stderr_are_separated():
    capture, lines = recording()
    with fake_console() as (out, err):
        capture.start()
        print("hello")
        print("a", "b", sep="\n")
        print("oops", file=sys.stderr)
        print()
        capture.stop()
    assert lines == [("stdout", "hello"), ("stdout", "a"), ("stdout", "b"), ("stderr", "oops"), ("stdout", "")]
    assert out.getvalue() == "hello\na\nb\n\n"
    assert err.getvalue() == "oops\n"


def test_progress_bar_records_only_final_state():
    capture, lines = recording()
    with fake_console() as (out, _):
        capture.start()
        for i in range(1000):
            sys.stdout.write(f"\r{i + 1:4d}/1000 [{'#' * ((i + 1) // 100):<10}]")
        sys.stdout.write("\n")
        print("done")
        capture.stop()
    assert lines == [("stdout", "1000/1000 [##########]"), ("stdout", "done")]
    assert out.getvalue().count("\r") == 1000  # the screen still sees every update


def test_crlf_split_across_writes_ends_the_line():
    capture, lines = recording()
    with fake_console():
        capture.start()
        sys.stdout.write("abc\r")
        sys.stdout.write("\nnext\r\n")
        capture.stop()
    assert lines == [("stdout", "abc"), ("stdout", "next")]


def test_partial_line_flushed_at_stop_and_stop_is_idempotent():
    capture, lines = recording()
    with fake_console() as (out, err):
        capture.start()
        sys.stdout.write("no newline")
        assert lines == []
        capture.stop()
        capture.stop()
        assert sys.stdout is out and sys.stderr is err
    assert lines == [("stdout", "no newline")]


def test_attributes_are_delegated():
    capture, _ = recording()
    with fake_console():
        capture.start()
        try:
            assert sys.stdout.getvalue() == ""  # a method only the wrapped StringIO has
            assert sys.stdout.isatty() is False
            sys.stdout.flush()
            assert sys.stdout.write("x") == 1
        finally:
            capture.stop()


def test_stop_leaves_a_foreign_wrapper_in_place():
    capture, _ = recording()
    foreign = io.StringIO()
    with fake_console() as (_, err):
        capture.start()
        sys.stdout = foreign
        capture.stop()
        assert sys.stdout is foreign
        assert sys.stderr is err


def test_failing_write_never_breaks_print():
    def broken(name, line):
        raise ValueError("disk full")

    capture = ConsoleCapture(broken)
    with fake_console() as (out, _):
        capture.start()
        with pytest.warns(RuntimeWarning, match="disk full") as warned:
            print("one")
            print("two")
        capture.stop()
    assert len(warned) == 1
    assert out.getvalue() == "one\ntwo\n"


def test_output_from_write_itself_is_not_recaptured():
    lines = []

    def echoing(name, line):
        lines.append(line)
        print(f"recorded {line}")

    capture = ConsoleCapture(echoing)
    with fake_console() as (out, _):
        capture.start()
        print("x")
        capture.stop()
    assert lines == ["x"]
    assert out.getvalue() == "x\nrecorded x\n"


def test_threads_print_whole_lines():
    capture, lines = recording()

    def worker(n):
        for i in range(200):
            print(f"thread{n} line{i}")

    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # make threads interleave inside print()
    try:
        with fake_console():
            capture.start()
            threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            capture.stop()
    finally:
        sys.setswitchinterval(switch_interval)
    assert sorted(line for _, line in lines) == sorted(f"thread{n} line{i}" for n in range(8) for i in range(200))


class CellStream(io.StringIO):
    """A host's own stream object: a Python class, as marimo's are."""


def test_in_place_capture_survives_a_host_putting_its_stream_back_for_each_cell():
    """marimo sets sys.stdout to its own stream object for every cell it runs and puts the
    process's back after: a replaced sys.stdout would be gone after the run's first cell."""
    lines = []
    capture = ConsoleCapture(lambda name, line: lines.append((name, line)), in_place=True)
    cell_out, cell_err = CellStream(), CellStream()
    saved = sys.stdout, sys.stderr
    try:
        sys.stdout, sys.stderr = cell_out, cell_err  # the cell that starts the run
        capture.start()
        print("first")
        sys.stdout, sys.stderr = saved  # between cells
        sys.stdout, sys.stderr = cell_out, cell_err  # a later cell
        print("second")
        print("oops", file=sys.stderr)
        capture.stop()
        print("after")
    finally:
        sys.stdout, sys.stderr = saved
    assert lines == [("stdout", "first"), ("stdout", "second"), ("stderr", "oops")]
    assert cell_out.getvalue() == "first\nsecond\nafter\n"
    assert "write" not in vars(cell_out) and "write" not in vars(cell_err)  # stop() took the tees off


class SlottedStream:
    """A stream that takes no attributes."""

    __slots__ = ("text",)

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


def test_in_place_capture_of_a_stream_without_attributes_replaces_it():
    lines = []
    capture = ConsoleCapture(lambda name, line: lines.append((name, line)), in_place=True)
    out = SlottedStream()
    with fake_console():
        sys.stdout = out
        capture.start()
        assert sys.stdout is not out  # wrapped, as without in_place
        print("hello")
        capture.stop()
        assert sys.stdout is out
    assert lines == [("stdout", "hello")] and out.text == "hello\n"
