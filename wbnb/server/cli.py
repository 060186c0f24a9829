"""``wbnb server``: run the server, and manage its API keys.

    wbnb server --root /srv/wbnb [--host 127.0.0.1] [--port 8080] [--database postgresql://...]
    wbnb server keys create --root /srv/wbnb --entity alice [--name laptop]
    wbnb server keys list --root /srv/wbnb
    wbnb server keys revoke --root /srv/wbnb 3f9a2c1b7d4e

``--root`` holds the media (and, without ``--database``, the runs and keys). Imported
only when ``wbnb`` parses its arguments; FastAPI and uvicorn only when serving.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..store.catalog.wire import MAX_CHUNK
from ..store.wire import MAX_BODY, MiB
from ..textout import local_time, plain, table
from .backend import Backend

_EXTRA = "pip install 'wbnb[server]'"


def private_root(root: Path) -> None:
    """Make what this process creates readable by its user only (umask 077: folders
    0700, files 0600), and close an existing ``root`` the same way: runs hold every
    entity's data, and without this a run folder is 0755 and its files 0644. Closing
    the root and the folders and files at its top level shuts out other users from
    everything below, however it was created."""
    os.umask(0o077)
    root.mkdir(parents=True, exist_ok=True)
    for path in [root, *root.iterdir()]:
        mode = path.lstat().st_mode
        if not path.is_symlink() and mode & 0o077:
            path.chmod(mode & 0o700)


def open_backend(root: str | None, database: str | None, max_open: int | None = None) -> Backend:
    """The backend a command names: PostgreSQL with ``database``, else the folder
    (``max_open``: how many run writers it keeps open, see ``FilesBackend``). Files
    under ``root`` are this user's only (``private_root``)."""
    if not root:
        raise ValueError("--root is required: the folder that holds the server's media (and runs, without --database)")
    private_root(Path(root).expanduser())
    if database:
        try:
            from .postgres import PostgresBackend
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.postgres":
                raise ImportError(
                    "this wbnb has no PostgreSQL backend (wbnb.server.postgres); "
                    "run without --database to keep runs in --root"
                ) from None
            raise ImportError(f"--database needs the {e.name} module: {_EXTRA}") from None
        return PostgresBackend(database, root)
    from .files import FilesBackend

    return FilesBackend(root, max_open)


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from .app import create_app
    except ModuleNotFoundError as e:
        raise ImportError(f"`wbnb server` needs the {e.name} module: {_EXTRA}") from None
    app = create_app(
        open_backend(args.root, args.database, args.max_open_runs),
        max_body=args.max_body,
        max_media=args.max_media,
        max_chunk=args.max_chunk,
        stale_after=args.stale_after,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)  # closes the backend on exit
    return 0


def _cmd_keys_create(args: argparse.Namespace) -> int:
    from .keys import make_key

    key, record = make_key(args.entity, args.name)
    backend = open_backend(args.root, args.database)
    try:
        backend.add_key(record)
    finally:
        backend.close()
    print(key)
    print(
        f"API key {record.key_id} for entity {record.entity}: keep it now, it is shown only this once "
        "(the server stores only its hash). Clients use it as WBNB_API_KEY.",
        file=sys.stderr,
    )
    return 0


def _cmd_keys_list(args: argparse.Namespace) -> int:
    backend = open_backend(args.root, args.database)
    try:
        records = backend.keys()
    finally:
        backend.close()
    rows = [
        [r.key_id, plain(r.entity), plain(r.name), local_time(r.created_at), "revoked" if r.revoked else ""]
        for r in records
    ]
    print(table(["id", "entity", "name", "created", "revoked"], rows) if rows else "no API keys yet")
    return 0


def _cmd_keys_revoke(args: argparse.Namespace) -> int:
    backend = open_backend(args.root, args.database)
    try:
        found = backend.revoke_key(args.key_id)
    finally:
        backend.close()
    if not found:
        raise ValueError(f"no API key {args.key_id!r}; `wbnb server keys list` shows the ids")
    print(f"revoked API key {args.key_id}")
    return 0


def _backend_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--root", default=default, help="folder of the server's media, and of runs and keys without --database"
    )
    parser.add_argument(
        "--database",
        default=default,
        metavar="URL",
        help="keep runs and keys in PostgreSQL (postgresql://user@host/db)",
    )


def add_server_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``wbnb server`` and ``wbnb server keys create|list|revoke`` to ``sub``."""
    p = sub.add_parser(
        "server",
        help="run the tracking server, or manage its API keys (`wbnb server keys`)",
        description="Serve runs over HTTP, or manage API keys with `wbnb server keys ...`.",
    )
    _backend_options(p, None)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")
    p.add_argument(
        "--max-body",
        type=int,
        default=MAX_BODY,
        metavar="BYTES",
        help=f"largest request body accepted (default: {MAX_BODY // MiB} MiB, twice a client's batch)",
    )
    p.add_argument(
        "--max-media", type=int, default=64 * MiB, metavar="BYTES", help="largest media file accepted (default: 64 MiB)"
    )
    p.add_argument(
        "--max-chunk",
        type=int,
        default=MAX_CHUNK,
        metavar="BYTES",
        help=f"largest chunk of an artifact file accepted in one request (default: {MAX_CHUNK // MiB} MiB; "
        "clients send smaller ones)",
    )
    p.add_argument(
        "--stale-after",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="a running run whose client is silent this long is marked crashed; its files are closed "
        "after half that (default: 120)",
    )
    p.add_argument(
        "--max-open-runs",
        type=int,
        default=None,
        metavar="N",
        help="runs kept open for writing at once without --database; past that the least recently "
        "written is closed until its next batch (default: from the file descriptor limit, at most 128)",
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn's log level (default: info)",
    )
    p.set_defaults(func=_cmd_serve)
    keys = p.add_subparsers(dest="server_command", metavar="keys").add_parser(
        "keys", help="create, list or revoke API keys"
    )
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    # SUPPRESS: `wbnb server --root D keys list` must keep the --root given before `keys`.
    c = actions.add_parser("create", help="make a key for an entity and print it (once)")
    _backend_options(c, argparse.SUPPRESS)
    c.add_argument("--entity", required=True, help="the entity (user or team) the key reads and writes")
    c.add_argument("--name", default="", help="a label to recognise the key by in `keys list`")
    c.set_defaults(func=_cmd_keys_create)
    c = actions.add_parser("list", help="list keys (never their secrets)")
    _backend_options(c, argparse.SUPPRESS)
    c.set_defaults(func=_cmd_keys_list)
    c = actions.add_parser("revoke", help="revoke a key: requests with it get 401 from now on")
    _backend_options(c, argparse.SUPPRESS)
    c.add_argument("key_id", metavar="KEY_ID", help="the id that `keys list` shows")
    c.set_defaults(func=_cmd_keys_revoke)
