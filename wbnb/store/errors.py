"""What a store raises when it cannot do what was asked: every home (the local store,
a server's, the artifact catalog) raises these, and ``base.py`` names them with the
``Store`` interface."""

from __future__ import annotations

from ..errors import Error


class StoreError(Error):
    """The store cannot do what was asked (not writable, run missing, run busy)."""


class RunBusy(StoreError):
    """A run is being written: its writer owns it, so it is not edited or deleted."""


class RunNotFound(StoreError, KeyError):
    """No run with that project and id."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "run not found"
