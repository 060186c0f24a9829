"""``wbnb.login()``: check a server key and remember it, or, without a server, say
where runs go so code written for a hosted service runs unchanged."""

from __future__ import annotations

import sys

from . import credentials
from .settings import Settings


def login(
    key: str | None = None,
    relogin: bool | None = None,
    host: str | None = None,
    anonymous: str | None = None,
    timeout: float | None = None,
    verify: bool = False,
) -> bool:
    """Log in to a ``wbnb server`` (``host`` or ``WBNB_BASE_URL``) with ``key`` (or
    ``WBNB_API_KEY``): the key is checked against the server, then saved (mode 0600)
    with its entity, and later runs log there. Without a server there is nothing to
    log in to: it says where local runs are stored. Returns True; a refused key
    raises ``AuthError``, an unreachable server ``ServerError``.
    """
    if anonymous not in (None, "allow", "must", "never"):
        raise ValueError(f"login: anonymous must be 'allow', 'must', 'never' or None, got {anonymous!r}")
    settings = Settings.from_env()
    host = host or settings.base_url
    if not host:
        if key:
            raise ValueError("login(key=...) needs a server: pass host='http://...' or set WBNB_BASE_URL")
        print(f"wbnb: no login needed; runs are stored locally in {settings.dir}", file=sys.stderr)
        return True
    url = credentials.normalize(host)
    saved = credentials.load().get("hosts", {}).get(url, {})
    key = key or settings.api_key or (None if relogin else saved.get("key"))
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
    the server refuses it, ``ServerError`` when it cannot be reached."""
    import requests

    from ..store.remote import Connection, ServerError

    conn = Connection(url, key, (timeout or 5.0, timeout or 30.0))
    try:
        return conn.whoami()["entity"]
    except (requests.ConnectionError, requests.Timeout) as e:
        raise ServerError(f"cannot reach {url} ({type(e).__name__}); is `wbnb server` running there?") from None
    finally:
        conn.session.close()
