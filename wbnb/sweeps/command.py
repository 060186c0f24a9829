"""A CLI agent's command line: wandb's ``command`` list with its macros expanded.

A token that is exactly ``${name}`` becomes zero or more arguments; ``${envvar:NAME}`` inside
any token becomes that environment variable (its name when unset), as wandb's agent does.
Arguments are formatted as wandb formats them (``--name=value`` with Python's ``str(value)``);
``${interpreter}`` is this Python (wandb's agent writes ``python``, which may not be the venv's).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

DEFAULT_COMMAND: tuple[str, ...] = ("${env}", "${interpreter}", "${program}", "${args}")
MACROS: frozenset[str] = frozenset(
    {
        "env",
        "interpreter",
        "program",
        "args",
        "args_no_equals",
        "args_no_hyphens",
        "args_no_boolean_flags",
        "args_append_hydra",
        "args_override_hydra",
        "args_json",
        "args_json_file",
    }
)
_ENVVAR = re.compile(r"\$\{envvar:([A-Za-z0-9_]*)\}")


def macro_name(token: str) -> str | None:
    """``"args"`` for the token ``"${args}"``; None for a token that is not a whole macro."""
    if token.startswith("${") and token.endswith("}") and not token.startswith("${envvar:"):
        return token[2:-1]
    return None


def args_json(params: Mapping[str, Any]) -> str:
    """The parameters as one JSON object: what ``${args_json}`` passes and ``${args_json_file}`` holds."""
    return json.dumps(dict(params))


def expand_command(
    command: Sequence[str] | None,
    params: Mapping[str, Any],
    *,
    program: str | None,
    interpreter: str = sys.executable,
    env: str | None = None if sys.platform == "win32" else "/usr/bin/env",
    args_json_file: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """The argument list that runs one trial with ``params`` (top-level names, nested values as dicts).

    ``command`` None is wandb's default ``${env} ${interpreter} ${program} ${args}``; ``env`` None
    (Windows) drops ``${env}``. ``args_json_file`` is the path of a file the caller has written
    ``args_json(params)`` to; a command using ``${args_json_file}`` or ``${program}`` without it
    is refused with ValueError.
    """
    environ = os.environ if environ is None else environ
    flags = [f"--{k}={v}" for k, v in params.items()]
    expansions: dict[str, list[str]] = {
        "env": [env] if env else [],
        "interpreter": [interpreter],
        "args": flags,
        "args_no_equals": [a for k, v in params.items() for a in (f"--{k}", str(v))],
        "args_no_hyphens": [f"{k}={v}" for k, v in params.items()],
        "args_append_hydra": [f"+{k}={v}" for k, v in params.items()],  # Hydra's append / override forms
        "args_override_hydra": [f"++{k}={v}" for k, v in params.items()],
        # a true boolean is a bare flag, a false one is left out
        "args_no_boolean_flags": [f"--{k}" if v is True else f"--{k}={v}" for k, v in params.items() if v is not False],
        "args_json": [args_json(params)],
    }
    if program is not None:
        expansions["program"] = [program]
    if args_json_file is not None:
        expansions["args_json_file"] = [args_json_file]
    out: list[str] = []
    for token in DEFAULT_COMMAND if command is None else command:
        token = _ENVVAR.sub(lambda m: environ.get(m.group(1), m.group(1)), str(token))
        name = macro_name(token)
        if name is None:
            out.append(token)
        elif name in expansions:
            out.extend(expansions[name])
        elif name in MACROS:
            raise ValueError(f"the command uses ${{{name}}} but no {name} was given")
        else:
            raise ValueError(f"unknown macro ${{{name}}} in the command (known: {', '.join(sorted(MACROS))})")
    return out
