"""``wbnb.login()``: check a server key and remember it, or, without a server, say
where runs go so code written for a hosted service runs unchanged."""

from __future__ import annotations

import sys
from typing import Any

from . import credentials
from .notice import say, unsaid
from .settings import Settings


def login(
    key: str | None = None,
    relogin: bool | None = None,
    host: str | None = None,
    force: bool | None = None,
    timeout: float | None = None,
    verify: bool = True,
    referrer: str | None = None,
    anonymous: Any = None,
) -> bool:
    """Log in to a ``wbnb server`` (``host``, else ``WBNB_BASE_URL`` / ``WANDB_BASE_URL``)
    with ``key`` (or ``WBNB_API_KEY``): the key is checked against the server, then saved
    (mode 0600) with its entity, and later runs log there. Returns True; a refused key
    raises ``AuthError``, an unreachable server ``ServerError``.

    With no server (wandb's cloud counts as none: wbnb never sends runs there) runs stay
    in the local store, and ``login`` says so. A ``key`` given then is kept (0600) for the
    first server a later ``login(host=...)`` or run goes to. ``relogin`` skips a saved
    key; ``anonymous``, ``force`` and ``referrer`` are wandb's and mean nothing here (said
    once); ``verify`` is always on where there is a server, as the entity comes from it.
    """
    given = (("anonymous", anonymous), ("force", force), ("referrer", referrer))
    ignored = unsaid("login", [name for name, value in given if value is not None])
    if ignored:
        say(f"login({'=..., '.join(ignored)}=...): no meaning for wbnb (keys are per user); ignored")
    settings = Settings.from_env().updated({"base_url": host})
    if not settings.base_url:
        if key:
            path = credentials.keep(key)
            print(
                f"wbnb: no server is set, so runs stay in the local store ({settings.dir}).\n"
                f"wbnb: the key is kept in {path} for when you log to a `wbnb server`: "
                "wbnb.login(key, host='http://HOST:PORT'), or set WBNB_BASE_URL (WANDB_BASE_URL works too)",
                file=sys.stderr,
            )
        else:
            print(f"wbnb: no login needed; runs are stored locally in {settings.dir}", file=sys.stderr)
        return True
    url = credentials.normalize(settings.base_url)
    saved = credentials.load()
    kept = None if relogin else saved.get("hosts", {}).get(url, {}).get("key") or saved.get("key")
    key = key or settings.api_key or kept
    if not key:
        raise ValueError(
            f"login: no key for {url}; pass login(key=..., host={url!r}) or set WBNB_API_KEY "
            "(a server admin makes keys with `wbnb server keys create`)"
        )
    entity = check_key(url, key, timeout)
    path = credentials.save(url, key, entity)
    print(f"wbnb: logged in to {url} as {entity}; key saved in {path}", file=sys.stderr)
    return True


def check_key(url: str, key: str, timeout: float | None = None) -> str:
    """Ask the server who ``key`` belongs to; return the entity. ``AuthError`` when
    the server refuses it, ``Unreachable`` when it cannot be reached."""
    import requests

    from ..store.remote import Connection, Unreachable

    conn = Connection(url, key, (timeout or 5.0, timeout or 30.0))
    try:
        return conn.whoami()["entity"]
    except (requests.ConnectionError, requests.Timeout) as e:
        raise Unreachable(f"cannot reach {url} ({type(e).__name__}); is `wbnb server` running there?") from None
    finally:
        conn.session.close()


def default_store(settings: Settings | None = None, entity: str | None = None) -> Any:
    """The store readers (``Api()``, widgets, the CLI) use when given none: the server
    of the settings or the last ``login()``, else the local store in ``settings.dir``."""
    settings = settings or Settings.from_env()
    server = credentials.server_for(settings)
    if server is None:
        from ..store.local import LocalStore

        return LocalStore(settings.dir)
    from ..store.remote import Connection, RemoteStore

    entity = entity or server.entity or check_key(server.url, server.key or "")
    return RemoteStore(Connection(server.url, server.key), entity, spool=settings.dir)
