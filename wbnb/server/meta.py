"""How the server checks run metadata: against ``store/runmeta.py``'s declaration,
the one every reader and writer is typed with, validated by pydantic.

Requests are checked with ``RUN_META`` (a 422 names the field), so a client cannot
store ``created_at: "yesterday"`` and break every reader of the project. Metadata
already stored with a bad value (before this check, or edited in the folder) is read
through ``readable``: the bad fields are left out and ``damaged`` says which and why,
so one run never breaks a list.

Fields the declaration does not name (a newer client's) are kept as sent; the
server's own fields (``state``, ``pid``... see ``files.SERVER_OWNED``) are replaced by
the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from pydantic import ConfigDict, TypeAdapter, ValidationError, create_model, with_config

from ..store.edits import EDITABLE
from ..store.runmeta import RunMeta, declaration

# RunMeta's fields as declared. First: it binds the limits' names (annotated-types)
# where RunMeta's annotations resolve, which pydantic reads below (runmeta.py).
_FIELDS = declaration()

# The declaration read as a type checker reads it: nothing is converted ("1" is no
# number, 1 no bool), and a number is finite (JSON has no NaN; a summary's values are
# Any, and may be). Nested TypedDicts (MetricSpec...) take the same settings.
STRICT = ConfigDict(strict=True, allow_inf_nan=False)
with_config(ConfigDict(**STRICT, extra="allow"))(RunMeta)  # a newer client's fields are kept
RUN_META: TypeAdapter[RunMeta] = TypeAdapter(RunMeta)

# What ``PATCH .../runs/{run_id}`` takes: the editable fields (``store/edits.py``), each
# typed as in RunMeta or null (``check_edit`` says what a null means); anything else is
# refused by name.
RunEdit = create_model(
    "RunEdit",
    __config__=ConfigDict(**STRICT, extra="forbid"),
    __doc__="An edit of a run that has ended: each field sent replaces the stored one.",
    **{name: (_FIELDS[name] | None, None) for name in EDITABLE},  # type: ignore[call-overload]
)


def problems(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """Pydantic's errors as ``field: what is wrong``, one per problem (``body`` for
    the value as a whole)."""
    out = []
    for err in errors:
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in err["loc"]).lstrip(".")
        out.append(f"{where or 'body'}: {err['msg']}")
    return out


def readable(meta: RunMeta) -> RunMeta:
    """Stored metadata as readers may take it: fields with a bad value left out, and
    ``damaged`` saying which and why (``meta`` itself when it is sound)."""
    try:
        RUN_META.validate_python(meta)
        return meta
    except ValidationError as e:
        bad = {err["loc"][0] for err in e.errors() if err["loc"]}
        kept = cast(RunMeta, {k: v for k, v in meta.items() if k not in bad})
        return {**kept, "damaged": "stored metadata with bad values, left out: " + "; ".join(problems(e.errors()))}
