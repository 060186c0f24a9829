"""Run metadata: interpreter, host, program, git state, packages and hardware."""

from __future__ import annotations

import getpass
import os
import platform
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from wbnb.sdk.system import query_nvidia_smi

_DIFF_LIMIT = 1024 * 1024
_DIFF_MARKER = "\n[wbnb: diff truncated at 1 MB]\n"
_GIT_TIMEOUT = 5.0
# "scheme://userinfo@host/..." -> "scheme://host/...": userinfo may hold a password or token.
_URL_CREDENTIALS = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", re.IGNORECASE)


def ipython_shell() -> Any:
    """The running IPython shell, or None; never imports IPython itself."""
    ipython_module = sys.modules.get("IPython")
    get_ipython = getattr(ipython_module, "get_ipython", None)
    return get_ipython() if get_ipython else None


NOTEBOOKS = ("jupyter", "vscode", "colab", "marimo")  # the environments with a kernel that shows HTML


def in_marimo() -> bool:
    """Whether this runs in a marimo notebook's kernel; never imports marimo itself."""
    running = getattr(sys.modules.get("marimo"), "running_in_notebook", None)
    return bool(running is not None and running())


def detect_environment() -> str:
    """Where this process runs: "marimo", "colab", "vscode", "jupyter", "ipython" or "script"."""
    if in_marimo():  # a marimo kernel has no IPython shell
        return "marimo"
    shell = ipython_shell()
    if shell is None:
        return "script"
    if "google.colab" in sys.modules or any(k.startswith("COLAB_") for k in os.environ):
        return "colab"
    if not hasattr(shell, "kernel"):  # terminal IPython has no kernel
        return "ipython"
    if "__vsc_ipynb_file__" in shell.user_ns:
        return "vscode"
    return "jupyter"


def _program(environment: str) -> str | None:
    """The script's path, else the notebook's path (or "colab") when it can be found."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file:
        return os.path.abspath(main_file)
    shell = ipython_shell()
    vscode_file = shell.user_ns.get("__vsc_ipynb_file__") if shell is not None else None
    if vscode_file:
        return str(vscode_file)
    if os.environ.get("JPY_SESSION_NAME"):
        return os.environ["JPY_SESSION_NAME"]
    return "colab" if environment == "colab" else None


def strip_url_credentials(url: str) -> str:
    """Remove ``user:password@`` (or a bare token) from a URL; scp-style ``git@host:path`` is kept."""
    return _URL_CREDENTIALS.sub(r"\1", url)


def _git(root: str, *args: str) -> str | None:
    """Output of ``git <args>`` run in ``root``; None when git is missing, fails or hangs."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def git_info(root: str) -> dict[str, Any] | None:
    """Commit, branch, credential-free origin URL, dirty flag and diff of the work tree at ``root``.

    None when git is missing or ``root`` is not inside a work tree; each field that
    cannot be read (no commits yet, detached HEAD, no origin) is left out.
    """
    if (_git(root, "rev-parse", "--is-inside-work-tree") or "").strip() != "true":
        return None
    info: dict[str, Any] = {}
    commit = _git(root, "rev-parse", "HEAD")
    branch = _git(root, "symbolic-ref", "--short", "-q", "HEAD")
    remote = _git(root, "remote", "get-url", "origin")
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    diff = _git(root, "diff", "HEAD")
    if commit:
        info["commit"] = commit.strip()
    if branch:
        info["branch"] = branch.strip()
    if remote:
        info["remote"] = strip_url_credentials(remote.strip())
    if status is not None:
        info["dirty"] = bool(status.strip())
    if diff is not None:
        raw = diff.encode("utf-8")
        if len(raw) > _DIFF_LIMIT:
            diff = raw[:_DIFF_LIMIT].decode("utf-8", "ignore") + _DIFF_MARKER
        info["diff"] = diff
    return info


def _packages() -> list[str]:
    """Installed distributions as sorted ``name==version``; the first of duplicates on sys.path wins."""
    from importlib.metadata import distributions

    found: dict[str, str] = {}
    for dist in distributions():
        # Reading two header fields directly is ~10x faster than dist.metadata's email parser.
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
        fields = dict(line.partition(": ")[::2] for line in text.partition("\n\n")[0].splitlines())
        name, version = fields.get("Name"), fields.get("Version")
        if name and version:
            found.setdefault(name.lower(), f"{name}=={version}")
    return sorted(found.values(), key=str.lower)


def _memory_total_mb() -> float:
    import psutil

    return psutil.virtual_memory().total / (1024 * 1024)


def _gpus() -> list[str]:
    names = query_nvidia_smi("name") or ""
    return [line.strip() for line in names.splitlines() if line.strip()]


def collect_metadata(
    program: str | None = None, root: str | None = None, environment: str | None = None
) -> dict[str, Any]:
    """Describe this process and its code as a JSON-able dict; never raises.

    ``program`` overrides the detected script/notebook path; ``root`` is the
    directory whose git state is recorded (default: the current directory);
    ``environment`` is ``detect_environment()`` as the caller's thread saw it (marimo's
    context is per thread: another thread would see a script). Any part that cannot be
    read is left out.
    """
    meta: dict[str, Any] = {}

    def put(key: str, read: Callable[[], Any]) -> None:
        try:
            value = read()
        except Exception:
            return
        if value is not None:
            meta[key] = value

    put("python", platform.python_version)
    put("python_executable", lambda: sys.executable)
    put("os", platform.platform)
    put("host", socket.gethostname)
    put("username", getpass.getuser)
    put("pid", os.getpid)
    put("cwd", os.getcwd)
    put("argv", lambda: list(sys.argv))
    put("environment", lambda: environment or detect_environment())
    put("notebook", lambda: meta.get("environment") in NOTEBOOKS)
    put("program", lambda: program or _program(meta.get("environment", "script")))
    put("git", lambda: git_info(root or os.getcwd()))
    put("packages", _packages)
    put("cpu_count", os.cpu_count)
    put("memory_total_mb", _memory_total_mb)
    put("gpus", _gpus)
    return meta
