"""A sweep's path as wandb writes it: ``ID``, ``project/ID``, ``entity/project/ID``, or the
URL form ``entity/project/sweeps/ID``. The CLI (``wbnb sweep --stop``, ``wbnb agent``),
``Api().sweep`` and the notebook magic read it the same way."""

from __future__ import annotations

from typing import NamedTuple


class SweepPath(NamedTuple):
    """A parsed sweep path; ``entity`` and ``project`` are None where the path left them out."""

    entity: str | None
    project: str | None
    id: str


def parse_sweep_path(path: str) -> SweepPath:
    """``"ent/proj/abc12345"`` -> ``SweepPath("ent", "proj", "abc12345")``; ``ValueError``
    naming the forms for anything else."""
    parts = str(path).strip().strip("/").split("/")
    if len(parts) == 4 and parts[2] == "sweeps":  # wandb's URL form
        del parts[2]
    if len(parts) > 3 or not all(parts):
        raise ValueError(f"sweep path {path!r} is not 'ID', 'project/ID' or 'entity/project/ID'")
    entity = parts[0] if len(parts) == 3 else None
    project = parts[-2] if len(parts) >= 2 else None
    return SweepPath(entity, project, parts[-1])
