"""The ``wbnb`` command: list projects and runs, show one run.

    wbnb projects
    wbnb runs mnist --filter '{"state": "finished"}' --order -summary_metrics.acc --limit 10
    wbnb show mnist/3f9a2c1b
    wbnb sync                    # upload offline runs and unsent server runs
    wbnb artifact ls|get|put|gc  # artifacts (cli_artifacts.py)
    wbnb sweep|sweeps|agent      # sweeps (cli_sweeps.py)

A new sub-command is a function ``_cmd_<name>(args) -> int`` plus an
``add_parser`` block in ``build_parser``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .api import Api, Run
from .cli_artifacts import add_artifact_parser
from .cli_sweeps import add_sweep_parser
from .sdk.finish import numeric_series
from .sdk.settings import Settings
from .sdk.sparklines import fit_key, flatten, format_value, render_sections_text, section, summary_sections
from .store.base import StoreError
from .store.columns import columns
from .textout import clip, duration, join_dash_values, local_time, plain, table

_SUMMARY_COLUMNS = 4  # how many summary metrics `wbnb runs` shows
_NAME_WIDTH = 32


def _scalar(value: Any) -> bool:
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


def _cmd_projects(args: argparse.Namespace) -> int:
    api = Api({"dir": args.dir})
    rows = [[plain(p.name), str(len(api.runs(p.name, order=None)))] for p in api.projects()]
    print(table(["project", "runs"], rows) if rows else f"no projects in {args.dir}")
    return 0


def _cmd_runs(args: argparse.Namespace) -> int:
    try:
        filters = json.loads(args.filter) if args.filter else None
    except json.JSONDecodeError as e:
        raise ValueError(f"--filter is not valid JSON ({e})") from None
    if filters is not None and not isinstance(filters, dict):
        raise ValueError(f"--filter must be a JSON object, got {args.filter}")
    api = Api({"dir": args.dir})
    runs = list(api.runs(args.project, filters=filters, order=args.order))
    if args.limit is not None:
        runs = runs[: max(args.limit, 0)]
    if not runs:
        print(f"no runs in project {plain(args.project or api.default_project)} in {args.dir}")
        return 0
    summaries = [flatten(run.summary) for run in runs]  # define_metric's {"acc": {"max": ..}} as acc.max
    metrics: list[str] = []  # the first few scalar summary keys, in the order runs have them
    for summary in summaries:
        for key, value in summary.items():
            if len(metrics) < _SUMMARY_COLUMNS and key not in metrics and not key.startswith("_") and _scalar(value):
                metrics.append(key)
    header = ["id", "name", "state", "created", "duration", *(clip(plain(m), _NAME_WIDTH) for m in metrics)]
    rows = [
        [
            plain(run.id),
            clip(plain(run.name), _NAME_WIDTH),
            run.state,
            local_time(run.meta.get("created_at")),
            duration(run.runtime),
            *(plain(format_value(summary[m])) if m in summary else "-" for m in metrics),
        ]
        for run, summary in zip(runs, summaries)
    ]
    print(table(header, rows))
    for run in runs:
        if run.reason:
            print(f"{plain(run.id)}: {plain(run.reason)}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    api = Api({"dir": args.dir})
    run = api.run(args.run)
    meta, md = run.meta, run.metadata
    git = md.get("git")
    git = git if isinstance(git, dict) else {}
    print(f"{plain(run.name)} ({plain(run.project)}/{plain(run.id)})  {run.state}")
    fields = [
        ("created", local_time(meta.get("created_at"))),
        ("ended", local_time(meta.get("ended_at")) if run.state != "running" else ""),
        ("duration", duration(run.runtime)),
        ("entity", plain(run.entity)),
        ("tags", ", ".join(plain(t) for t in run.tags)),
        ("group", plain(run.group or "")),
        ("job type", plain(run.job_type or "")),
        ("notes", plain(run.notes or "")),
        ("exit code", "" if meta.get("exit_code") is None else str(meta["exit_code"])),
        ("program", plain(md.get("program") or "")),
        ("host", plain(md.get("host") or "")),
        ("python", plain(md.get("python") or "")),
        ("git", plain(" ".join(str(git[k])[:12] for k in ("commit", "branch") if git.get(k)))),
        ("location", run.url),
    ]
    print(_indented([(k, v) for k, v in fields if v]))
    # Config, history and summary as finish() shows them: bounded rows and key names.
    config = {plain(k): v for k, v in flatten(run.config).items()}
    sections = [section("Config:", config, lambda k: plain(format_value(config[k])))] if config else []
    rows, _ = api.store.rows(run.project, run.id)
    history = {plain(k): v for k, v in numeric_series(columns(rows)).items()}
    summary = {plain(k): plain(format_value(v)) for k, v in flatten(run.summary).items()}
    sections += summary_sections(history, summary)
    path = f"{run.project}/{run.id}"
    for line in render_sections_text(sections, f"wbnb.Api().run({path!r}).config, .summary and .history()"):
        print(line)
    system = run.system_metrics
    if system:
        print("System (last sample):")
        print(_indented([(plain(k), format_value(v)) for k, v in system.items()]))
    _print_events(run)
    return 0


def _print_events(run: Run) -> None:
    """Alerts and exceptions recorded with the run, oldest first."""
    lines = []
    for ev in run.events():
        when = local_time(ev.get("t"))
        if ev.get("kind") == "alert":
            lines.append(
                f"  {when}  alert [{plain(ev.get('level', ''))}] {plain(ev.get('title', ''))}: "
                f"{plain(ev.get('text', ''))}"
            )
        elif ev.get("kind") == "exception":
            lines.append(f"  {when}  exception {plain(ev.get('type', ''))}: {plain(ev.get('message', ''))}")
    if lines:
        print("Alerts and exceptions:")
        print("\n".join(lines))


def _indented(pairs: Sequence[tuple[str, str]]) -> str:
    pairs = [(fit_key(k), v) for k, v in pairs]
    width = max((len(k) for k, _ in pairs), default=0)
    return "\n".join(f"  {k.ljust(width)}  {v}" for k, v in pairs)


def _cmd_sync(args: argparse.Namespace) -> int:
    from .sync import sync

    settings = Settings.from_env().updated({"dir": args.dir, "base_url": args.host})
    return 0 if sync(settings, args.runs).ok else 1  # 1: a run is not (fully) on the server, so keep the spool


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every ``wbnb`` sub-command."""
    parser = argparse.ArgumentParser(prog="wbnb", description="Read experiment runs from a wbnb store.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    store_dir = argparse.ArgumentParser(add_help=False)
    store_dir.add_argument("--dir", default=None, help="store folder (default: WBNB_DIR or ./wbnb-runs)")

    p = sub.add_parser("projects", parents=[store_dir], help="list the projects")
    p.set_defaults(func=_cmd_projects)

    p = sub.add_parser("runs", parents=[store_dir], help="list a project's runs")
    p.add_argument("project", nargs="?", help="project or entity/project (default: WBNB_PROJECT or uncategorized)")
    p.add_argument("--filter", help='mongo-style JSON, e.g. \'{"config.lr": {"$lt": 0.01}}\'')
    p.add_argument("--order", default="-created_at", help="e.g. -summary_metrics.acc (default: -created_at)")
    p.add_argument("--limit", type=int, help="show at most N runs")
    p.set_defaults(func=_cmd_runs)

    p = sub.add_parser("show", parents=[store_dir], help="show one run")
    p.add_argument("run", metavar="RUN", help="project/id or entity/project/id")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "sync", parents=[store_dir], help="upload offline runs, and server runs left in the spool, to the server"
    )
    p.add_argument("runs", nargs="*", metavar="RUN", help="project/id (default: every run the server lacks)")
    p.add_argument("--host", help="server URL (default: WBNB_BASE_URL or the last wbnb.login())")
    p.set_defaults(func=_cmd_sync)

    add_artifact_parser(sub, store_dir)
    add_sweep_parser(sub, store_dir)

    from .server.cli import add_server_parser  # here: the server's imports load only for `wbnb server`

    add_server_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``wbnb`` command; returns the exit status."""
    argv = join_dash_values(list(sys.argv[1:] if argv is None else argv), ("--order",))
    args = build_parser().parse_args(argv)
    if getattr(args, "dir", "") is None:  # a store command without --dir: the default store
        args.dir = Settings.from_env().dir
    try:
        return args.func(args)
    except (StoreError, ValueError, OSError, ImportError) as e:  # ImportError: an extra not installed
        print(f"wbnb: {plain(e)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
