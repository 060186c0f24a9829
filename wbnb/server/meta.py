"""What a run's metadata may hold on the server: the fields the SDK writes (``init``
in ``sdk/lifecycle.py``, the ``Run`` setters, ``finish``), each with its type.

Requests are checked with ``RunMeta`` (a 422 names the field), so a client cannot
store ``created_at: "yesterday"`` and break every reader of the project. Metadata
already stored with a bad value (before this check, or edited in the folder) is read
through ``readable``: the bad fields are left out and ``damaged`` says which and why,
so one run never breaks a list.

Fields the SDK does not write (a newer client's) are kept as sent; the server's own
fields (``state``, ``pid``... see ``files.SERVER_OWNED``) are replaced by the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    ValidationError,
    create_model,
    model_validator,
)

from ..store.base import RUN_MODES, STATES
from ..store.edits import EDITABLE, check_tags
from ..store.names import LABEL_MAX
from ..store.runfiles import relative_name
from ..store.summary import parse_modes

NAME_MAX = LABEL_MAX  # characters of a name, group or job type (the SDK's rule, store/names.py)
NOTES_MAX = 100_000  # characters of free-text notes

Finite = Annotated[float, Strict(), Field(allow_inf_nan=False)]  # a JSON number, never a string or bool
Short = Annotated[str, Strict(), Field(max_length=NAME_MAX)]
Object = dict[str, Any]


class MetricSpec(BaseModel):
    """One ``define_metric`` rule, as ``Run.define_metric`` stores it."""

    model_config = ConfigDict(extra="allow")

    step_metric: Short | None = None
    summary: Short | None = None
    goal: Literal["minimize", "maximize"] | None = None
    hidden: StrictBool = False

    @model_validator(mode="after")
    def _modes(self) -> MetricSpec:
        parse_modes(self.summary, self.goal)  # the rule the summary tracker applies: ValueError names the mode
        return self


def _file_name(name: str) -> str:
    relative_name(name)  # ValueError: absolute, "..", empty
    return name


class SavedFile(BaseModel):
    """A file the run saved (``run.dir``), as its client uploaded it when the run ended."""

    model_config = ConfigDict(extra="allow")

    path: Annotated[str, Strict(), Field(pattern=r"^media/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,8}$")]
    size: Annotated[StrictInt, Field(ge=0)]
    md5: Short | None = None
    updated_at: Finite | None = None


class RunMeta(BaseModel):
    """A run's metadata as a client sends it; every field optional."""

    model_config = ConfigDict(extra="allow")

    id: Short | None = None
    project: Short | None = None
    entity: Short | None = None
    name: Short | None = None
    notes: Annotated[str, Strict(), Field(max_length=NOTES_MAX)] | None = None
    tags: Annotated[list[Annotated[str, Strict()]], AfterValidator(check_tags)] | None = None
    group: Short | None = None
    job_type: Short | None = None
    mode: Literal[RUN_MODES] | None = None  # type: ignore[valid-type]
    state: Literal[STATES] | None = None  # type: ignore[valid-type]
    created_at: Finite | None = None
    heartbeat_at: Finite | None = None
    runtime: Finite | None = None
    last_step: StrictInt | None = None
    config: Object | None = None
    summary: Object | None = None
    summary_explicit: Object | None = None
    metadata: Object | None = None
    metrics: dict[str, MetricSpec] | None = None
    files: dict[Annotated[str, Strict(), AfterValidator(_file_name)], SavedFile] | None = None


# What ``PATCH .../runs/{run_id}`` takes: the editable fields (``store/edits.py``), each
# typed as in RunMeta; anything else is refused by name.
RunEdit = create_model(
    "RunEdit",
    __config__=ConfigDict(extra="forbid"),
    __doc__="An edit of a run that has ended: each field sent replaces the stored one.",
    **{name: (RunMeta.model_fields[name].annotation, None) for name in EDITABLE},  # type: ignore[call-overload]
)


def problems(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """Pydantic's errors as ``field: what is wrong``, one per problem (``body`` for
    the value as a whole)."""
    out = []
    for err in errors:
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in err["loc"]).lstrip(".")
        out.append(f"{where or 'body'}: {err['msg']}")
    return out


def readable(meta: dict[str, Any]) -> dict[str, Any]:
    """Stored metadata as readers may take it: fields with a bad value left out, and
    ``damaged`` saying which and why (``meta`` itself when it is sound)."""
    try:
        RunMeta.model_validate(meta)
        return meta
    except ValidationError as e:
        bad = {err["loc"][0] for err in e.errors() if err["loc"]}
        return {
            **{k: v for k, v in meta.items() if k not in bad},
            "damaged": "stored metadata with bad values, left out: " + "; ".join(problems(e.errors())),
        }
