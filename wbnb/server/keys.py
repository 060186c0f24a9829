"""API keys: ``wbnb_<key_id>_<secret>``, of which the server keeps only the id and
``sha256(secret)``.

The id (12 hex digits) finds the record without a scan and can be shown and revoked
without revealing anything; the secret (32 random bytes, URL-safe base64) is shown
once, when the key is made. A leaked keys file therefore grants nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

from ..store.names import check_name
from .backend import Backend, KeyRecord

PREFIX = "wbnb"
_KEY = re.compile(r"wbnb_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")  # fullmatch: "$" would let a newline through
_CREATE = "`wbnb server keys create --root DIR --entity NAME`"


class AuthFailed(PermissionError):
    """A request's key is missing, malformed, unknown, wrong or revoked; the message
    says which and what to do."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def make_key(entity: str, name: str = "") -> tuple[str, KeyRecord]:
    """A new key for ``entity``: the full key (to show once) and the record to store."""
    entity = check_name("entity", entity)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)  # 43 characters, no padding
    record = KeyRecord(key_id=key_id, entity=entity, name=name, secret_hash=_digest(secret), created_at=time.time())
    return f"{PREFIX}_{key_id}_{secret}", record


def parse_key(key: str) -> tuple[str, str]:
    """Split a key into ``(key_id, secret)``; ValueError says what a key looks like."""
    match = _KEY.fullmatch(key.strip())
    if match is None:
        raise ValueError(
            "the API key is malformed: a key looks like wbnb_<12 hex digits>_<43 characters>; "
            f"copy the whole key that {_CREATE} printed"
        )
    return match.group(1), match.group(2)


def verify(record: KeyRecord, secret: str) -> bool:
    """Whether ``secret`` is the one ``record`` was made with (constant time)."""
    return hmac.compare_digest(record.secret_hash, _digest(secret))


def authenticate(backend: Backend, authorization: str | None) -> KeyRecord:
    """The key record behind an ``Authorization: Bearer <key>`` header value, or
    ``AuthFailed`` with a message that tells the caller what to do."""
    if not authorization:
        raise AuthFailed(f"no API key: send the header 'Authorization: Bearer <key>'; make a key with {_CREATE}")
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AuthFailed("the Authorization header must be 'Bearer <key>'")
    try:
        key_id, secret = parse_key(key)
    except ValueError as e:
        raise AuthFailed(str(e)) from None
    record = backend.key(key_id)
    if record is None or not verify(record, secret):  # one message: do not confirm that an id exists
        raise AuthFailed(f"unknown API key wbnb_{key_id}_...: this server did not make it; make one with {_CREATE}")
    if record.revoked:
        raise AuthFailed(f"API key {key_id} was revoked; ask the server's admin for a new one ({_CREATE})")
    return record
