"""``run.config``: the hyperparameters of a run, with attribute and item access.

Every change is handed to a callback that persists it, so the stored config is
always the one the user set, also after a crash.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from ..errors import UsageError
from .notice import say_once
from .term import termwarn

DEFAULTS_FILE = "config-defaults.yaml"


class ConfigError(UsageError, ValueError):
    """A config value was changed without ``allow_val_change``."""


def config_to_dict(config: Any) -> dict[str, Any]:
    """Accept the config forms of ``init(config=...)``: a dict, an argparse Namespace,
    a SimpleNamespace or any object with ``__dict__``, or a path to a YAML file."""
    if config is None:
        return {}
    if isinstance(config, Mapping):
        return dict(config)
    if isinstance(config, (str, os.PathLike)):
        return _read_yaml(os.fspath(config))
    if hasattr(config, "__dict__"):
        return {k: v for k, v in vars(config).items() if not k.startswith("_")}
    raise TypeError(
        f"config must be a dict, an argparse.Namespace, an object with __dict__, or a path "
        f"to a YAML file; got {type(config).__name__}"
    )


def config_defaults() -> dict[str, Any]:
    """``config-defaults.yaml`` in the working directory, read as wandb reads it (plain
    ``key: value`` or ``key: {desc: ..., value: ...}``); ``{}`` when there is none.
    Without PyYAML (the ``media`` extra) it is not read, and that is said once."""
    if not os.path.isfile(DEFAULTS_FILE):
        return {}
    try:
        import yaml  # noqa: F401
    except ImportError:
        say_once(
            "config-defaults",
            f"{os.path.abspath(DEFAULTS_FILE)} was not read: reading it needs PyYAML "
            "(pip install pyyaml, or wbnb[media])",
        )
        return {}
    return _read_yaml(DEFAULTS_FILE)


def _read_yaml(path: str) -> dict[str, Any]:
    try:
        import yaml
    except ImportError:
        raise ImportError("reading a config file needs PyYAML: pip install pyyaml") from None
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    if not isinstance(data, dict):
        raise TypeError(f"config file {path} must hold a mapping, got {type(data).__name__}")
    # wandb's config-defaults.yaml form: {key: {desc: ..., value: ...}}
    return {
        k: v["value"] if isinstance(v, dict) and "value" in v else v for k, v in data.items() if k != "wandb_version"
    }


def clean_value(value: Any) -> Any:
    """Make a config value JSON-able: numpy scalars to numbers, tuples to lists,
    nested mappings kept, anything else by its ``str``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value if type(value) in (int, float) else (int(value) if isinstance(value, int) else float(value))
    if isinstance(value, Mapping):
        return {str(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [clean_value(v) for v in value]
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):
        return clean_value(value.item())  # numpy / torch scalars
    if callable(getattr(value, "tolist", None)):
        return clean_value(value.tolist())  # arrays
    return str(value)


class Config:
    """A run's config: ``config.lr``, ``config["lr"]``, ``config.update(...)``.

    ``on_change(changes, config)`` persists a change (``config``: the whole config with
    it) before it applies, and may raise to refuse it; ``lock`` is the run's, so a
    change is atomic with respect to other threads. Keys set by a sweep (``keep``) keep
    their value: a change to one is ignored and said, as wandb does.
    """

    def __init__(
        self,
        on_change: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
        allow_val_change: bool = False,
        lock: threading.RLock | None = None,
    ) -> None:
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_on_change", on_change)
        object.__setattr__(self, "_allow", allow_val_change)
        object.__setattr__(self, "_lock", lock or threading.RLock())
        object.__setattr__(self, "_kept", {})  # key -> who set it (a sweep): later changes are ignored

    def keep(self, keys: Iterable[str], owner: str) -> None:
        """Keep the current values of ``keys`` (set by ``owner``, e.g. a sweep's trial):
        a later change to one is ignored, with a line saying so, as wandb's locked keys."""
        with self._lock:
            self._kept.update(dict.fromkeys(keys, owner))

    # -- writing ---------------------------------------------------------------------

    def update(self, d: Any = None, allow_val_change: bool | None = None, **kwargs: Any) -> None:
        """Set several keys; a changed value raises unless ``allow_val_change``."""
        changes = {**config_to_dict(d), **kwargs}
        self._set(changes, self._allow if allow_val_change is None else allow_val_change)

    def setdefaults(self, d: Mapping[str, Any]) -> None:
        """Set only the keys that are not set yet."""
        self._set({k: v for k, v in config_to_dict(d).items() if k not in self._items}, False)

    def _set(self, changes: Mapping[str, Any], allow: bool) -> None:
        clean = {}
        for key, value in changes.items():
            if not isinstance(key, str):
                raise TypeError(f"config keys must be str, got {key!r} ({type(key).__name__})")
            clean[key] = clean_value(value)
        with self._lock:
            for key in [k for k in clean if k in self._kept]:
                value = clean.pop(key)
                if value != self._items.get(key):
                    termwarn(
                        f"config[{key!r}] was set by {self._kept[key]} to {self._items.get(key)!r}: "
                        f"the change to {value!r} is ignored"
                    )
            for key, value in clean.items():
                if not allow and key in self._items and self._items[key] != value:
                    raise ConfigError(
                        f"config[{key!r}] is already {self._items[key]!r}; refusing to change it to {value!r}. "
                        f"Pass allow_val_change=True to config.update() to change it."
                    )
            if clean and self._on_change is not None:
                self._on_change(clean, {**self._items, **clean})
            self._items.update(clean)

    def __setitem__(self, key: str, value: Any) -> None:
        self._set({key: value}, self._allow)

    def __setattr__(self, key: str, value: Any) -> None:
        self._set({key: value}, self._allow)

    # -- reading ---------------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(f"config has no key {key!r}; keys: {', '.join(self._items) or '(none)'}") from None

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        return self._items.get(key, default)

    def as_dict(self) -> dict[str, Any]:
        """A plain-dict copy."""
        return dict(self._items)

    def keys(self) -> KeysView[str]:
        """The config's keys."""
        return self._items.keys()

    def items(self) -> ItemsView[str, Any]:
        """The config's items."""
        return self._items.items()

    def values(self) -> ValuesView[Any]:
        """The config's values."""
        return self._items.values()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Config({self._items!r})"
