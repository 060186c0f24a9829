"""``wbnb.errors``: the exceptions code written for wandb catches (``wandb.errors.Error``...).

Every error wbnb raises on purpose derives from ``Error``, so ``except wandb.errors.Error``
keeps working under ``import wbnb as wandb``. wbnb's own classes subclass these where they
mean the same thing and keep their Python base too (``PreInitError`` is still a
``RuntimeError``, ``RunNotFound`` still a ``KeyError``)::

    Error                       wbnb.store.StoreError  (store trouble: not writable, run busy, missing)
      CommError                 wbnb.store.remote.ServerError  (a server refused or is unreachable),
                                ArtifactNotFound (also KeyError, ValueError: what wandb raises for it)
        AuthenticationError     wbnb.store.remote.AuthError  (a key refused)
      UsageError                wbnb.PreInitError, wbnb.ConfigError
        UnsupportedError

    TrialStopped (a BaseException, not an Error)  a sweep stopped this trial at its log()

A leaf module: it imports nothing, so any layer may raise these.
"""

from __future__ import annotations

from typing import Any


class Error(Exception):
    """The base of every error wbnb raises on purpose (wandb's ``wandb.errors.Error``)."""

    def __init__(self, message: str = "", context: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if context:
            self.context = context


class CommError(Error):
    """A server could not be reached or refused a request."""

    def __init__(self, msg: str = "", exc: Exception | None = None) -> None:
        self.exc = exc
        super().__init__(msg)


class AuthenticationError(CommError):
    """A server refused the API key."""


class UsageError(Error):
    """The API was used the wrong way (a call before ``init()``, a config value changed
    without ``allow_val_change``...)."""


class UnsupportedError(UsageError):
    """A feature wbnb does not have."""


class TrialStopped(BaseException):
    """Raised by ``log()`` in a sweep's trial that must stop: Hyperband judged it at a band
    (``stop`` holds the decision: ``band``, ``value``, ``threshold``, ``reached``), or the
    sweep was canceled (``stop`` is None). The record being logged is stored first.

    A ``BaseException``, as ``KeyboardInterrupt`` is, so that a training loop's
    ``except Exception`` does not swallow it: the agent catches it and ends the run as
    ``killed`` and the trial as ``stopped``. Uncaught in a script the agent launched, the
    process ends with one line saying why, without a traceback.
    """

    def __init__(self, message: str, stop: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.stop = stop


__all__ = ["AuthenticationError", "CommError", "Error", "TrialStopped", "UnsupportedError", "UsageError"]
