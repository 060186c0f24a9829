"""``wbnb.require(...)``: wandb's feature switches, which have nothing to switch in wbnb.

wandb uses them to opt into its service process or its Go core (both now its default);
wbnb writes runs from the process that logs them, so a known name is accepted and said
once to mean nothing here. An unknown name is warned about once (wandb raises
``UnsupportedError``; code that names a newer wandb feature should still run here).
"""

from __future__ import annotations

from collections.abc import Iterable

from .term import termlog, termwarn

# What each name wandb knows switches on there; none of it exists (or is needed) in wbnb.
KNOWN = {
    "core": "wandb's Go core",
    "service": "wandb's service process",
    "legacy-service": "wandb's older service process",
    "require": "the require() mechanism itself",
}


def require(requirement: str | Iterable[str] | None = None, experiment: str | Iterable[str] | None = None) -> None:
    """Accept wandb feature names (``"core"``, ``"service"``...); each is said once to
    have no effect: wbnb logs from this process, with no service or core to start."""
    features = requirement or experiment
    if not features:
        return
    for item in (features,) if isinstance(features, str) else features:
        feature = str(item).split("@", 1)[0].split(":", 1)[0]
        if feature in KNOWN:
            termlog(
                f"require({item!r}) turns on {KNOWN[feature]}; wbnb has none: runs are written from this "
                "process, so there is nothing to turn on",
                repeat=False,
            )
        else:
            termwarn(
                f"require({item!r}): not a requirement wbnb knows ({', '.join(sorted(KNOWN))}); ignored",
                repeat=False,
            )
