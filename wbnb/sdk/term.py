"""``wbnb.termlog / termwarn / termerror``: wandb's helpers for printing to the user.

Lines go to stderr with a ``wbnb: `` prefix (a script's stdout stays clean).
``termlog`` is quiet when the run (or, with no run, the environment: ``WBNB_SILENT``)
is silent; warnings and errors always print, since silencing them would hide trouble.
"""

from __future__ import annotations

import sys

from .settings import Settings

PREFIX = "wbnb: "
_printed: set[str] = set()  # what repeat=False has printed already
_MAX_REMEMBERED = 1000  # as wandb: past this, repeat=False messages may print again


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """Print an informational message to stderr (nothing when the run is silent).

    ``repeat=False`` prints it only if this exact message was not printed before by any
    of ``termlog`` / ``termwarn`` / ``termerror``; ``prefix=False`` leaves out ``wbnb: ``.
    """
    if not _silent():
        _write(string, newline, repeat, prefix)


def termwarn(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """Print a warning to stderr; arguments as for ``termlog``."""
    _write(_each_line("WARNING ", string), newline, repeat, prefix)


def termerror(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """Print an error to stderr; arguments as for ``termlog``."""
    _write(_each_line("ERROR ", string), newline, repeat, prefix)


def _each_line(head: str, string: str) -> str:
    return "\n".join(head + line for line in str(string).split("\n"))


def _write(string: str, newline: bool, repeat: bool, prefix: bool) -> None:
    string = str(string)
    if not repeat:
        if string in _printed:
            return
        if len(_printed) < _MAX_REMEMBERED:
            _printed.add(string)
    if prefix and string:
        string = _each_line(PREFIX, string)
    sys.stderr.write(string + ("\n" if newline else ""))


def _silent() -> bool:
    settings = getattr(sys.modules["wbnb"].run, "settings", None)
    if settings is None:
        try:
            settings = Settings.from_env()
        except ValueError:  # a malformed variable is init()'s to report, not a log line's
            return False
    return bool(settings.silent)
