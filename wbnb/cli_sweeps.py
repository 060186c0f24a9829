"""``wbnb sweep``, ``wbnb sweeps`` and ``wbnb agent``: create, control, list and run sweeps
from a shell, as wandb's CLI does.

    wbnb sweep sweep.yaml [--project P] [--entity E] [--name N]   # prints the id and the agent command
    wbnb sweep --pause | --resume | --stop | --cancel SWEEP        # ID, project/ID or entity/project/ID
    wbnb sweeps [--project P]                                      # id, name, state, trials, best
    wbnb agent SWEEP [--count N]                                   # run trials as subprocesses

``--stop`` lets running trials finish and starts no more; ``--cancel`` stops them too.
A bad config exits 1 with the field it names (argparse's usage errors exit 2).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .api import Api
from .api_sweeps import Sweep, create
from .sdk.sparklines import format_value
from .textout import local_time, plain, table

if TYPE_CHECKING:  # wbnb.sweeps loads numpy: imported by the sweep commands only
    from .sweeps.records import SweepState

# --flag: (the state it sets, what the line printed after says)
_ACTIONS: dict[str, tuple[SweepState, str]] = {
    "pause": ("PAUSED", "paused: agents wait for it to be resumed (wbnb sweep --resume {path})"),
    "resume": ("RUNNING", "resumed: agents claim trials again"),
    "stop": ("FINISHED", "stopped: no new trials; the running ones finish"),
    "cancel": ("CANCELED", "canceled: no new trials; agents stop the running ones"),
}


def _path(sweep: Sweep) -> str:
    """The path the agent command takes: with the entity when the sweep has one."""
    return "/".join(plain(p) for p in sweep.path if p)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from .sweeps.config import SweepConfigError, load_sweep_config

    action = next((name for name in _ACTIONS if getattr(args, name)), None)
    if action is not None:
        return _control(args, action)
    try:
        config = load_sweep_config(args.target)
    except SweepConfigError as e:
        raise ValueError(f"{args.target}: {e}") from None
    api = Api(
        {
            "dir": args.dir,
            "entity": args.entity or config.raw.get("entity"),
            "project": args.project or config.raw.get("project"),
        }
    )
    sweep = create(api, config.raw, name=args.name)
    print(f"wbnb: Created sweep {plain(sweep.name)} from {plain(args.target)} with ID: {plain(sweep.id)}")
    print(f"wbnb: View sweep at: {sweep.url}")
    print(f"wbnb: Run sweep agent with: wbnb agent {_path(sweep)}")
    return 0


def _control(args: argparse.Namespace, action: str) -> int:
    state, done = _ACTIONS[action]
    api = Api({"dir": args.dir, "entity": args.entity, "project": args.project})
    sweep = api.sweep(args.target)
    sweep.set_state(state)
    path = _path(sweep)
    print(f"wbnb: sweep {path} {done.format(path=path)} ({sweep.state})")
    return 0


def _cmd_sweeps(args: argparse.Namespace) -> int:
    api = Api({"dir": args.dir, "entity": args.entity})
    sweeps = api.sweeps(args.project)
    project = plain(args.project or api.default_project)
    if not sweeps:
        print(f"no sweeps in project {project}; create one with: wbnb sweep sweep.yaml --project {project}")
        return 0
    rows = []
    for sweep in sweeps:
        metric = sweep.parsed.metric
        best = sweep.best_loss
        rows.append(
            [
                plain(sweep.id),
                plain(sweep.name),
                sweep.state,
                sweep.parsed.method,
                _trials(sweep),
                f"{plain(metric.name)} {format_value(best)}" if metric and best is not None else "-",
                local_time(sweep.record.created_at),
            ]
        )
    print(table(["id", "name", "state", "method", "trials", "best", "created"], rows))
    for sweep in sweeps:
        if sweep.reason:
            print(f"{plain(sweep.id)}: {plain(sweep.reason)}")
    return 0


def _trials(sweep: Sweep) -> str:
    expected = sweep.expected_run_count
    return f"{sweep.trial_count}/{expected}" if expected is not None else str(sweep.trial_count)


def _cmd_agent(args: argparse.Namespace) -> int:
    from .sweeps.launcher import run_agent  # the CLI agent (subprocess trials)
    from .sweeps.lease import sweep_path

    entity, project, _ = sweep_path(args.sweep, args.project, args.entity)
    api = Api({"dir": args.dir, "entity": entity, "project": project})
    api.sweep(args.sweep)  # a sweep that is not there is named with the project's sweeps, before any trial
    return run_agent(api.store, args.sweep, args.count, project=api.default_project, entity=api.default_entity)


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--count {value}: a whole number of trials, at least 1")
    return n


def add_sweep_parser(sub: Any, store_dir: argparse.ArgumentParser) -> None:
    """Add ``wbnb sweep``, ``wbnb sweeps`` and ``wbnb agent`` to the ``wbnb`` parser's sub-commands."""
    where = argparse.ArgumentParser(add_help=False, parents=[store_dir])
    where.add_argument("--project", help="project (default: a new sweep's config's, WBNB_PROJECT, or uncategorized)")
    where.add_argument("--entity", help="entity (default: a new sweep's config's, WBNB_ENTITY, or the server key's)")

    p = sub.add_parser(
        "sweep", parents=[where], help="create a sweep from a YAML config, or pause, resume, stop or cancel one"
    )
    p.add_argument("target", metavar="CONFIG_YAML_OR_SWEEP", help="sweep.yaml, or with a flag: ID, project/ID, ...")
    p.add_argument("--name", help="the sweep's name (default: the config's name, else its id)")
    flags = p.add_mutually_exclusive_group()
    flags.add_argument("--pause", action="store_true", help="agents wait until it is resumed")
    flags.add_argument("--resume", action="store_true", help="resume a paused (or stopped) sweep")
    flags.add_argument("--stop", action="store_true", help="start no new trials; running ones finish")
    flags.add_argument("--cancel", action="store_true", help="start no new trials and stop the running ones")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser("sweeps", parents=[where], help="list a project's sweeps")
    p.set_defaults(func=_cmd_sweeps)

    p = sub.add_parser("agent", parents=[where], help="run a sweep's trials (its program or command) here")
    p.add_argument("sweep", metavar="SWEEP", help="ID, project/ID or entity/project/ID")
    p.add_argument("--count", type=_count, metavar="N", help="run at most N trials (default: until the sweep ends)")
    p.set_defaults(func=_cmd_agent)
