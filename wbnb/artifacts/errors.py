"""What the artifact calls raise besides the catalog's ``ArtifactNotFound`` /
``ArtifactConflict`` and ``InvalidName``: wandb's errors for an artifact used in the wrong
state (``AttributeError`` subclasses, as wandb's are)."""

from __future__ import annotations

from ..errors import CommError, UsageError


class ArtifactStatusError(UsageError, AttributeError):
    """An artifact is in the wrong state for the call (wandb's name)."""


class ArtifactNotLoggedError(ArtifactStatusError):
    """A call that needs a logged artifact (``version``, ``download``...) on a draft."""

    def __init__(self, attr: str) -> None:
        super().__init__(
            f"'Artifact.{attr}' used prior to logging the artifact: log it with run.log_artifact() "
            "(or get a logged one with run.use_artifact() / Api().artifact()) first"
        )


class ArtifactFinalizedError(ArtifactStatusError):
    """A change to the files of an artifact that is logged (its content is its version)."""

    def __init__(self, attr: str, name: str) -> None:
        super().__init__(
            f"'Artifact.{attr}' used on logged artifact {name!r}: its files cannot change. "
            "Make a new Artifact (or artifact.new_draft()) and log that"
        )


class WrongArtifactType(CommError, ValueError):
    """An artifact asked for with ``type=`` is of another type. wandb raises a
    ``ValueError``, which ``Api().artifact`` turns into a ``CommError``: this is both."""
