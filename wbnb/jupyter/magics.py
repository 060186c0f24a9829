"""``%wbnb`` and ``%%wbnb``: the notebook shortcuts.

    %wbnb                        the current run's panel
    %wbnb runs [PROJECT] [--filter EXPR] [--sort KEY]
                                 the project's run table (default: the current run's)
    %wbnb show RUN [RUN ...]     one run's panel, or several runs' curves overlaid
                                 (runs as "project/id")
    %wbnb sweep SWEEP            the sweep's panel, live while its agents run
                                 (SWEEP as "ID", "project/ID" or "entity/project/ID")
    %%wbnb [--project P] [--name N] [--config k=v ...]
                                 the cell runs inside a run that finishes when it ends
                                 (failed if it raised)

Bad arguments print this usage instead of a traceback.
"""

from __future__ import annotations

import argparse
import ast
import shlex
import sys
from typing import Any, NoReturn

from IPython.core.magic import Magics, line_cell_magic, magics_class

from ..store.errors import StoreError
from ..textout import join_dash_values

USAGE = __doc__.split("\n\n")[1]


class UsageError(Exception):
    """Arguments that the usage text does not allow."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would exit the kernel
        raise UsageError(message)


def _cell_parser() -> _Parser:
    parser = _Parser(prog="%%wbnb", add_help=False)
    parser.add_argument("--project")
    parser.add_argument("--name")
    parser.add_argument("--config", nargs="*", default=[], metavar="KEY=VALUE")
    return parser


def _runs_parser() -> _Parser:
    parser = _Parser(prog="%wbnb runs", add_help=False)
    parser.add_argument("project", nargs="?")
    parser.add_argument("--filter", default="")
    parser.add_argument("--sort", action="append")
    return parser


def parse_config(pairs: list[str]) -> dict[str, Any]:
    """``["lr=1e-3", "opt=adam"]`` -> ``{"lr": 0.001, "opt": "adam"}`` (Python literals
    where they parse, strings otherwise)."""
    config: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--config takes KEY=VALUE pairs, got {pair!r}")
        try:
            config[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            config[key] = text
    return config


@magics_class
class WbnbMagics(Magics):
    """The ``%wbnb`` line magic and ``%%wbnb`` cell magic."""

    @line_cell_magic
    def wbnb(self, line: str, cell: str | None = None) -> Any:
        """%wbnb, %wbnb show RUN..., %%wbnb [--project P] [--name N] [--config k=v ...]"""
        try:
            args = shlex.split(line)
            if cell is not None:
                return self._run_cell(_cell_parser().parse_args(args), cell)
            return self._line(args)
        except (UsageError, ValueError) as e:
            print(f"%wbnb: {e}\n\n{USAGE}", file=sys.stderr)
        except StoreError as e:  # the store's trouble (a damaged sweep book, a server out of reach): said
            print(f"%wbnb: {e}", file=sys.stderr)
        return None

    def _line(self, args: list[str]) -> Any:
        from IPython.display import display

        from ..sdk.lifecycle import current_run
        from ..widgets import Curves, RunPanel, SweepPanel

        run = current_run()
        if not args:
            if run is None:
                raise UsageError("there is no current run: call wbnb.init() first")
            return display(RunPanel(run))
        command, rest = args[0], args[1:]
        if command == "runs":
            from ..sdk.settings import Settings
            from ..widgets import RunTable

            opts = _runs_parser().parse_args(join_dash_values(rest, ("--sort",)))
            project = (
                opts.project
                or (run.project if run is not None else None)
                or Settings.from_env().project
                or "uncategorized"
            )
            return display(RunTable(project, filter=opts.filter, sort=opts.sort))
        if command == "show":
            if not rest:
                raise UsageError("show needs at least one run, as project/id")
            return display(RunPanel(rest[0]) if len(rest) == 1 else Curves(rest))
        if command == "sweep":
            if len(rest) != 1:
                raise UsageError("sweep takes one sweep, as ID, project/ID or entity/project/ID")
            return display(SweepPanel(rest[0]))
        raise UsageError(f"unknown command {command!r}")

    def _run_cell(self, args: argparse.Namespace, cell: str) -> None:
        from ..sdk.lifecycle import init

        run = init(project=args.project, name=args.name, config=parse_config(args.config), reinit="create_new")
        assert self.shell is not None  # a cell magic runs in its shell
        result = self.shell.run_cell(cell)
        failed = result.error_in_exec is not None or result.error_before_exec is not None
        run.finish(exit_code=1 if failed else 0)


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext wbnb``: register the magics and the cell hooks."""
    from .hooks import register

    shell.register_magics(WbnbMagics)
    register(shell)
