"""``wbnb artifact``: list, download, upload and clean up artifacts from a shell.

    wbnb artifact ls [project | project/name]        # collections, or one collection's versions
    wbnb artifact get mnist/ckpt:best [--root DIR]   # download (default ./artifacts/<name>:vN)
    wbnb artifact put weights/ --name ckpt --type model [--alias best ...] [--project mnist]
    wbnb artifact gc [--keep-last N] [--dry-run]     # give disk back (the local store)

``put`` logs the file or folder from a run of job type ``auto``, as wandb's does.
Downloads of large versions show a progress bar. Errors exit 1 with a line saying what
to do; argparse's usage errors exit 2.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from .api import Api
from .api_artifacts import home
from .artifacts.gc import gc
from .store.catalog.base import Catalog
from .store.catalog.cache import BlobCache
from .store.catalog.records import LATEST, VersionRecord
from .store.local import LocalStore
from .textout import counted, human_bytes, local_time, plain, table


def _catalog(api: Api) -> Catalog:
    return home(api, None).catalog


def _aliases(v: VersionRecord) -> str:
    user = [a for a in v.aliases if a != LATEST]
    return ", ".join(plain(a) for a in (user + [LATEST] if LATEST in v.aliases else user)) or "-"


def _cmd_ls(args: argparse.Namespace) -> int:
    api = Api({"dir": args.dir})
    catalog = _catalog(api)
    if args.target and "/" in args.target:  # one collection's versions
        project, name = args.target.rsplit("/", 1)
        versions = catalog.versions(project, name)
        if args.type and versions[0].type != args.type:
            print(f"{plain(project)}/{plain(name)} is a {plain(versions[0].type)}, not a {plain(args.type)}")
            return 1
        rows = [
            [v.version, _aliases(v), human_bytes(v.size), str(v.file_count), local_time(v.created_at), _logger(v)]
            for v in reversed(versions)
        ]
        print(f"{plain(project)}/{plain(name)} ({plain(versions[0].type)}, {counted(len(versions), 'version')})")
        print(table(["version", "aliases", "size", "files", "created", "logged by"], rows))
        return 0
    cols = catalog.collections(args.target, args.type)
    if not cols:
        where = f"project {plain(args.target)}" if args.target else args.dir
        print(
            f"no artifacts in {where}; log one with run.log_artifact(...) or wbnb artifact put PATH --name N --type T"
        )
        return 0
    rows = []
    for c in cols:
        latest = catalog.resolve(c.project, c.name, LATEST)
        kind = "registry" if c.kind == "portfolio" else c.type
        rows.append(
            [
                plain(f"{c.project}/{c.name}"),
                plain(kind),
                str(c.version_count),
                latest.version,
                human_bytes(latest.size),
                _aliases(latest),
            ]
        )
    print(table(["collection", "type", "versions", "latest", "size", "aliases"], rows))
    print("a collection's versions: wbnb artifact ls PROJECT/NAME")
    return 0


def _logger(v: VersionRecord) -> str:
    return plain(f"{v.logged_by.project}/{v.logged_by.run_id}") if v.logged_by else "-"


def _cmd_get(args: argparse.Namespace) -> int:
    api = Api({"dir": args.dir})
    artifact = api.artifact(args.artifact, type=args.type)
    path = artifact.download(root=args.root)
    files = counted(artifact.file_count, "file")
    print(f"{plain(artifact.qualified_name)} ({human_bytes(artifact.size)}, {files}) in {path}")
    return 0


def _cmd_put(args: argparse.Namespace) -> int:
    import wbnb

    source = Path(args.path)
    if not source.exists():
        raise ValueError(f"no file or folder at {args.path}: give the path of what to log")
    project, name = args.name.rsplit("/", 1) if "/" in args.name else (args.project, args.name)
    artifact = wbnb.Artifact(name, args.type, description=args.description)
    if source.is_dir():
        artifact.add_dir(os.fspath(source))
    else:
        artifact.add_file(os.fspath(source))
    run = wbnb.init(project=project, job_type="auto", dir=args.dir, settings={"silent": True})
    try:
        logged = run.log_artifact(artifact, aliases=args.alias or None)
        logged.wait()
    finally:
        run.finish(quiet=True)
    print(
        f"logged {plain(logged.qualified_name)} ({human_bytes(logged.size)}, {counted(logged.file_count, 'file')}) "
        f"from run {plain(run.project)}/{plain(run.id)}; get it with: wbnb artifact get "
        f"{plain(run.project)}/{plain(logged.name)}"
    )
    return 0


def _cmd_gc(args: argparse.Namespace) -> int:
    api = Api({"dir": args.dir})
    cache = BlobCache()  # downloads from a server, on this machine
    if not args.dry_run:
        freed = cache.evict()
        print(f"download cache {cache.root}: freed {human_bytes(freed)} (budget {human_bytes(cache.max_bytes)})")
    if not isinstance(api.store, LocalStore):
        print(
            "a server's artifacts are its own: run wbnb artifact gc where the server keeps them "
            "(or unset WBNB_BASE_URL to clean this machine's store)"
        )
        return 0
    catalog = api.store.catalog
    report = gc(catalog, keep_last=args.keep_last, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for v in report.versions:
        print(f"{verb} {plain(v.project)}/{plain(v.name)}:{v.version} ({human_bytes(v.size)})")
    print(report.summary())
    if args.dry_run and report.freed:
        print("run it again without --dry-run to free the space")
    return 0


def _keep_last(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"--keep-last {value}: keep at least 1 version (the newest)")
    return n


def add_artifact_parser(sub: Any, store_dir: argparse.ArgumentParser) -> None:
    """Add ``wbnb artifact ls|get|put|gc`` to the ``wbnb`` parser's sub-commands."""
    p = sub.add_parser("artifact", help="list, download, upload and clean up artifacts")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    q = verbs.add_parser("ls", parents=[store_dir], help="list collections, or one collection's versions")
    q.add_argument("target", nargs="?", metavar="PROJECT[/NAME]", help="a project, or a collection (default: all)")
    q.add_argument("--type", help="only collections of this type (model, dataset...)")
    q.set_defaults(func=_cmd_ls)

    q = verbs.add_parser("get", parents=[store_dir], help="download a version")
    q.add_argument("artifact", metavar="NAME:ALIAS", help="[[entity/]project/]name[:alias|:vN] (default :latest)")
    q.add_argument("--root", help="where to put its files (default ./artifacts/<name>:vN)")
    q.add_argument("--type", help="fail unless the artifact is of this type")
    q.set_defaults(func=_cmd_get)

    q = verbs.add_parser("put", parents=[store_dir], help="log a file or folder as a new version")
    q.add_argument("path", metavar="PATH", help="a file or a folder")
    q.add_argument("--name", required=True, help="the collection: name or project/name")
    q.add_argument("--type", required=True, help="model, dataset, ...")
    q.add_argument("--alias", action="append", metavar="ALIAS", help="an alias to give it (repeatable)")
    q.add_argument("--project", help="project (default: WBNB_PROJECT or uncategorized)")
    q.add_argument("--description", help="what this version is")
    q.set_defaults(func=_cmd_put)

    q = verbs.add_parser(
        "gc", parents=[store_dir], help="delete unreferenced files and, with --keep-last, old versions"
    )
    q.add_argument(
        "--keep-last",
        type=_keep_last,
        metavar="N",
        help="keep each collection's newest N versions (and every version with an alias or a registry link)",
    )
    q.add_argument("--dry-run", action="store_true", help="say what would be deleted, delete nothing")
    q.set_defaults(func=_cmd_gc)
