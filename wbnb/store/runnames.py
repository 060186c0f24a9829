"""The id of a new run (``new_run_id``: 8 lower-case letters and digits, as wandb's),
and the name it is given when its creator gives none: ``brisk-river-3``, an adjective,
a noun and the run's number in its project, as wandb names runs (a sweep's trial:
``brisk-sweep-3``, its number in the sweep). Drawn with
``secrets``: the user's ``random`` / numpy / torch state is never read or moved (a seeded
script gets new ids and names each time)."""

from __future__ import annotations

import secrets
import string

ADJECTIVES = (
    "brisk",
    "calm",
    "bold",
    "bright",
    "clever",
    "eager",
    "gentle",
    "lively",
    "lucky",
    "mellow",
    "nimble",
    "proud",
    "quiet",
    "rapid",
    "sunny",
    "swift",
    "tidy",
    "vivid",
    "warm",
    "wise",
)
NOUNS = (
    "river",
    "forest",
    "comet",
    "meadow",
    "harbor",
    "falcon",
    "maple",
    "canyon",
    "breeze",
    "glacier",
    "lantern",
    "orchid",
    "pebble",
    "summit",
    "willow",
    "ember",
    "island",
    "aurora",
    "cedar",
    "delta",
)


def new_run_id() -> str:
    """A fresh run id (``init`` makes one per new run; a sweep's book one per claimed trial)."""
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def generated_name(number: int) -> str:
    """A name for the ``number``-th run of a project."""
    return f"{secrets.choice(ADJECTIVES)}-{secrets.choice(NOUNS)}-{number}"


def sweep_run_name(seq: int) -> str:
    """A name for trial ``seq`` (from 0) of a sweep, as wandb names a sweep's runs: ``brisk-sweep-3``."""
    return f"{secrets.choice(ADJECTIVES)}-sweep-{seq + 1}"
