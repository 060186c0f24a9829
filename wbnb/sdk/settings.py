"""Run settings, from lowest to highest precedence: defaults < the environment <
``Settings(...)`` / ``init(settings=...)`` < ``init()`` arguments.

The environment is ``WBNB_<FIELD>`` (``WBNB_DIR`` for ``dir``), else wandb's own
variable for that setting (``WANDB_MODE``, ``WANDB_PROJECT``, ...; ``WANDB`` below is
the one table of them). ``Settings(...)`` takes wbnb's field names and wandb's
(``run_name``, ``root_dir``, ``x_disable_stats``, ``console="off"``, ...); a wandb
field with no meaning for a local store is accepted and named once, an unknown name
raises naming the close ones. A ``Settings`` object holds what it was given and merges
over the environment: the fields it was not given keep their environment values.

wandb's names that need a word:

- ``WANDB_DIR`` / ``root_dir``: wandb keeps runs in ``<root>/wandb``; wbnb keeps its
  store in ``<root>/wbnb-runs`` (as ``./wbnb-runs`` by default), so both tools can share
  a root. ``WBNB_DIR`` and ``init(dir=...)`` name the store folder itself.
- ``WANDB_BASE_URL`` / ``base_url`` pointing at wandb's cloud (``*.wandb.ai``,
  ``*.wandb.io``) is ignored with one notice: wbnb never sends runs there.
- ``WANDB_API_KEY`` counts only with the server ``WANDB_BASE_URL`` names: a wandb key
  in the environment is never sent to a ``wbnb server`` chosen another way.
- ``WANDB_CONFIG_DIR``: wbnb keeps its files in ``<WANDB_CONFIG_DIR>/wbnb`` (wandb's
  own ``credentials.json`` lives in that folder and is left alone).
- ``WANDB_MODE``: also wandb's aliases ``dryrun`` (offline), ``run`` and ``shared``
  (online). ``console``: ``"off"`` turns capture off; ``auto``, ``wrap``, ``redirect``
  turn it on. ``finish_timeout`` keeps wbnb's meaning (0: do not wait).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from ..store.runmeta import RUN_MODES, Mode
from .notice import say, say_once, unsaid

_MODE_ALIASES: dict[str, Mode] = {"dryrun": "offline", "run": "online", "shared": "online"}
_MODES: dict[str, Mode] = {**{m: m for m in RUN_MODES}, **_MODE_ALIASES}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
_CONSOLE_ON = ("auto", "wrap", "redirect", "wrap_raw", "wrap_emu")


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a run besides its config.

    Each field has a ``WBNB_<FIELD>`` environment variable (``WBNB_DIR`` for ``dir``),
    but ``allow_val_change`` and ``reinit``. ``Settings(**values)`` also takes wandb's
    field names (see the module docstring).
    """

    dir: str = field(default_factory=lambda: os.path.join(os.getcwd(), "wbnb-runs"))
    mode: Mode = "online"
    project: str | None = None
    entity: str | None = None
    run_name: str | None = None  # init(name=)
    run_id: str | None = None  # init(id=)
    run_notes: str | None = None  # init(notes=)
    run_tags: tuple[str, ...] | None = None  # init(tags=); "a,b" in the environment
    run_group: str | None = None  # init(group=)
    run_job_type: str | None = None  # init(job_type=)
    resume: bool | str | None = None  # init(resume=)
    reinit: bool | str | None = None  # init(reinit=)
    silent: bool = False  # no printed header / summary and no live panel
    live_panel: bool = True  # in a notebook, init() shows the run's live panel
    console: bool = True  # capture stdout / stderr into the run
    system_interval: float = 5.0  # seconds between system samples; 0 turns it off
    finish_timeout: float = 30.0  # upper bound on how long finish() may wait
    save_code: bool = False
    allow_val_change: bool | None = None  # None: True in notebooks, False in scripts
    base_url: str | None = None  # a `wbnb server` to log to (else the one saved by login())
    api_key: str | None = None  # its key (else the one login() saved for that server)
    config_dir: str | None = None  # where login() keeps keys (default ~/.config/wbnb)
    given: frozenset[str] = field(default=frozenset(), repr=False, compare=False)  # the fields set explicitly

    def __init__(self, **values: Any) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, f.default_factory() if f.default_factory is not MISSING else f.default)
        given = _translate(values, "Settings")
        for name, value in given.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "given", frozenset(given))

    @classmethod
    def from_env(cls) -> Settings:
        """Defaults with the environment applied (``WBNB_*``, else wandb's variables)."""
        return cls().updated(_read_env())

    def updated(self, changes: Mapping[str, Any] | Settings | None) -> Settings:
        """A copy with ``changes`` applied: a mapping (``None`` values are left out; wandb's
        names are taken, unknown ones raise) or a ``Settings`` (the fields it was given)."""
        if changes is None:
            return self
        if isinstance(changes, Settings):
            values = {name: getattr(changes, name) for name in changes.given}
        else:
            values = _translate(changes, "settings")
        new = object.__new__(Settings)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(values)
        object.__setattr__(new, "given", self.given | frozenset(values))
        return new


_NAMES = tuple(f.name for f in fields(Settings) if f.name != "given")
_NO_VARIABLE = ("allow_val_change", "reinit")  # settings no environment variable carries


def variable(name: str) -> str | None:
    """The ``WBNB_*`` environment variable of setting ``name`` (None if it has none)."""
    return None if name in _NO_VARIABLE else f"WBNB_{name.upper()}"


# --- how values read -----------------------------------------------------------------


def _bool(value: Any, source: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"{source}={value!r}: expected true or false (1/0, yes/no, on/off)")


def _float(value: Any, source: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{source}={value!r} is not a number") from None


def _mode(value: Any, source: str) -> Mode:
    mode = _MODES.get(str(value).strip().lower())
    if mode is None:
        raise ValueError(
            f"{source}={value!r}: mode must be one of {', '.join(RUN_MODES)} (or wandb's {', '.join(_MODE_ALIASES)})"
        )
    return mode


def _console(value: Any, source: str) -> bool:
    if isinstance(value, str) and value.strip().lower() in _CONSOLE_ON:
        return True
    try:
        return _bool(value, source)
    except ValueError:
        raise ValueError(f"{source}={value!r}: console is 'off' or one of {', '.join(_CONSOLE_ON)}") from None


def _tags(value: Any, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(",") if t.strip())
    return tuple(str(t) for t in value)


def _resume(value: Any, source: str) -> bool | str:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"true": True, "false": False}.get(text, text)


def _text(value: Any, source: str) -> str:
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def _optional_bool(value: Any, source: str) -> bool | None:
    return None if value is None else _bool(value, source)


def _reinit(value: Any, source: str) -> bool | str:
    return value if isinstance(value, bool) else str(value)


_READ: dict[str, Callable[[Any, str], Any]] = {
    "mode": _mode,
    "run_tags": _tags,
    "resume": _resume,
    "reinit": _reinit,
    "silent": _bool,
    "live_panel": _bool,
    "console": _console,
    "system_interval": _float,
    "finish_timeout": _float,
    "save_code": _bool,
    "allow_val_change": _optional_bool,
    "base_url": lambda value, source: _server(value, source),
}


def _read(name: str, value: Any, source: str) -> Any:
    """A value for setting ``name`` as wbnb holds it (``source`` names it in errors)."""
    return _READ.get(name, _text)(value, source)


# --- wandb's names ----------------------------------------------------------------------


def is_wandb_cloud(url: str) -> bool:
    """Whether ``url`` is wandb's hosted service (``api.wandb.ai``, ``*.wandb.io``)."""
    host = urlsplit(url if "://" in url else f"//{url}").hostname or ""
    return bool(re.search(r"(^|\.)wandb\.(ai|io)$", host))


def _server(url: Any, source: str) -> str | None:
    url = _text(url, source)
    if not is_wandb_cloud(url):
        return url
    say_once(
        f"wandb-cloud:{source}",
        f"{source}={url} is wandb's cloud; wbnb never sends runs there, so it is ignored and runs stay in "
        "the local store (set WBNB_BASE_URL to log to a `wbnb server`)",
    )
    return None


def _under(folder: str) -> Callable[[Any, str], str]:
    return lambda value, source: os.path.join(_text(value, source), folder)


def _if_true(result: Any) -> Callable[[Any, str], Any]:
    return lambda value, source: result if _bool(value, source) else None


@dataclass(frozen=True)
class WandbName:
    """One of wandb's settings: its ``Settings`` field and / or environment variable, the
    wbnb setting it sets, and how its value reads (None from ``read``: leaves it unset)."""

    field: str | None
    variable: str | None
    setting: str
    read: Callable[[Any, str], Any] | None = None


WANDB = (
    WandbName("mode", "WANDB_MODE", "mode"),
    WandbName(None, "WANDB_DISABLED", "mode", _if_true("disabled")),  # wandb's older switch; true wins over WANDB_MODE
    WandbName("project", "WANDB_PROJECT", "project"),
    WandbName("entity", "WANDB_ENTITY", "entity"),
    WandbName("run_name", "WANDB_NAME", "run_name"),
    WandbName("run_notes", "WANDB_NOTES", "run_notes"),
    WandbName("run_tags", "WANDB_TAGS", "run_tags"),
    WandbName("run_id", "WANDB_RUN_ID", "run_id"),
    WandbName("resume", "WANDB_RESUME", "resume"),
    WandbName("reinit", None, "reinit"),
    WandbName("run_group", "WANDB_RUN_GROUP", "run_group"),
    WandbName("run_job_type", "WANDB_JOB_TYPE", "run_job_type"),
    WandbName("root_dir", "WANDB_DIR", "dir", _under("wbnb-runs")),
    WandbName("silent", "WANDB_SILENT", "silent"),
    WandbName("quiet", None, "silent", _if_true(True)),
    WandbName("console", "WANDB_CONSOLE", "console"),
    WandbName("save_code", "WANDB_SAVE_CODE", "save_code"),
    WandbName("disable_code", "WANDB_DISABLE_CODE", "save_code", _if_true(False)),
    WandbName("x_disable_stats", None, "system_interval", _if_true(0.0)),
    WandbName("x_stats_sampling_interval", None, "system_interval"),
    WandbName("finish_timeout", None, "finish_timeout"),
    WandbName("allow_val_change", None, "allow_val_change"),
    WandbName("base_url", "WANDB_BASE_URL", "base_url"),
    WandbName("api_key", "WANDB_API_KEY", "api_key"),
    WandbName(None, "WANDB_CONFIG_DIR", "config_dir", _under("wbnb")),
)
_BY_FIELD = {w.field: w for w in WANDB if w.field}

# wandb's Settings fields with no meaning for a local store: accepted, named once.
# Any ``x_*`` field (``_*`` is wandb's old spelling of it) is accepted the same way:
# wandb's internal settings change from release to release.
IGNORED = frozenset(
    """allow_media_symlink allow_offline_artifacts anonymous app_url_override azure_account_url_to_access_key
    capture_loggers code_dir config_paths console_chunk_max_bytes console_chunk_max_seconds console_multipart
    credentials_file disable_git disable_git_fork_point disable_job_creation docker email finish_timeout_raises
    force fork_from git_commit git_remote git_remote_url git_root heartbeat_seconds host http_proxy https_proxy
    identity_token_file ignore_globs init_timeout insecure_disable_ssl job_name job_source label_disable launch
    launch_config_path login_timeout max_end_of_run_history_metrics max_end_of_run_summary_metrics notebook_name
    organization program program_abspath program_relpath relogin resume_from resumed sagemaker_disable
    settings_system show_colors show_emoji show_errors show_info show_warnings start_method stop_fn
    stop_on_fatal_error strict summary_timeout summary_warnings sweep_id sweep_param_path symlink sync_tensorboard
    table_raise_on_max_row_limit_exceeded use_dot_wandb username""".split()
)


def _translate(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``values`` (wbnb's or wandb's names) as wbnb settings; None values are left out."""
    out: dict[str, Any] = {}
    ignored = []
    for name, value in values.items():
        if not isinstance(name, str):
            raise TypeError(f"{where}: setting names are str, got {name!r}")
        wandb_name = "x" + name if name.startswith("_") else name
        if value is None:
            continue
        source = f"{where}: {name}"
        if name in _NAMES:
            _put(out, name, value, source)
        elif wandb_name in _BY_FIELD:
            w = _BY_FIELD[wandb_name]
            _put(out, w.setting, w.read(value, source) if w.read else value, source)
        elif wandb_name in IGNORED or wandb_name.startswith("x_"):
            ignored.append(name)
        else:
            raise TypeError(_unknown(name, where))
    fresh = unsaid("setting", ignored)
    if fresh:
        one = len(fresh) == 1
        say(
            f"{where}({'=..., '.join(fresh)}=...): wandb setting{'' if one else 's'} with no meaning for a "
            f"local store; {'it is' if one else 'they are'} ignored"
        )
    return out


def _put(out: dict[str, Any], setting: str, value: Any, source: str) -> None:
    """Set ``out[setting]`` to ``value`` as wbnb reads it; None (from a wandb name's
    ``read`` or a wandb cloud URL) leaves it unset."""
    if value is not None:
        value = _read(setting, value, source)
    if value is not None:
        out[setting] = value


def _unknown(name: str, where: str) -> str:
    import difflib

    known = sorted({*_NAMES, *_BY_FIELD, *IGNORED})
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"{where}: unknown setting {name!r}{hint} (wbnb's settings: {', '.join(_NAMES)}; wandb's names work too)"


def _read_env() -> dict[str, Any]:
    """The settings the environment sets: ``WBNB_*`` first, wandb's variables where
    wbnb's is unset (a later row of ``WANDB`` wins over an earlier one for a setting)."""
    env = os.environ
    out: dict[str, Any] = {}
    for name in _NAMES:
        own = variable(name)
        if own and env.get(own):
            _put(out, name, env[own], own)
    from_wandb: dict[str, Any] = {}
    for w in WANDB:
        text = env.get(w.variable) if w.variable else None
        own = variable(w.setting)
        if not w.variable or not text or (own and env.get(own)):
            continue
        if w.setting == "api_key" and "base_url" not in from_wandb:
            continue  # a wandb key goes to the server WANDB_BASE_URL names (an earlier row), nowhere else
        _put(from_wandb, w.setting, w.read(text, w.variable) if w.read else text, w.variable)
    return {**out, **from_wandb}
