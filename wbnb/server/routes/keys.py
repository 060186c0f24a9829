"""Whose key a request carries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ..backend import KeyRecord
from ..bodies import WhoAmI
from .deps import principal

router = APIRouter()


@router.get("/whoami", response_model=WhoAmI)
def whoami(key: KeyRecord = Depends(principal)) -> Any:
    """The entity and key id of the key sent."""
    return {"entity": key.entity, "key_id": key.key_id}
