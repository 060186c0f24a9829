"""A real, throwaway PostgreSQL for tests and benchmarks.

``TempPostgres`` runs Debian's (or any installed) server binaries on a cluster in a
temporary folder: ``initdb`` with trust authentication, a server listening only on
127.0.0.1 (on a free port) and on a unix socket inside that folder, one database to
work in. As root, every PostgreSQL program runs as the ``postgres`` user, because
``initdb``, ``pg_ctl`` and ``postgres`` refuse to run as root.

    with TempPostgres() as pg:
        url = pg.url            # postgresql://postgres@127.0.0.1:PORT/wbnb

Missing binaries raise ``PostgresUnavailable`` naming where they were looked for; the
test fixture turns that into a failure, never a skip (CI installs ``postgresql``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

DATABASE = "wbnb"
SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine, or no user to run them as."""


def find_bindir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``: ``$PG_BINDIR``,
    then ``pg_config --bindir``, then the newest ``/usr/lib/postgresql/*/bin`` (Debian
    keeps the server programs off ``PATH``), then ``PATH``."""
    candidates: list[str] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for folder in candidates:
        if all(os.access(Path(folder) / p, os.X_OK) for p in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; looked in "
        f"{candidates or ['$PG_BINDIR', 'pg_config --bindir', '/usr/lib/postgresql/*/bin', 'PATH']}. "
        "Install them (Debian: apt-get install postgresql) or set PG_BINDIR."
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    """One PostgreSQL cluster in a temporary folder, removed by ``stop()``.

    ``durable=False`` (the default, for tests) turns fsync off: a test database need
    not survive a power cut, and fsync dominates small transactions. Benchmarks pass
    ``durable=True`` to measure what a real deployment would see.
    """

    def __init__(self, durable: bool = False) -> None:
        self.bindir = find_bindir()
        self.durable = durable
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            try:
                import pwd

                pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise PostgresUnavailable(
                    "running as root, and there is no 'postgres' user to run PostgreSQL as "
                    "(initdb refuses root); install Debian's postgresql package, which creates it"
                ) from None
        self.dir: Path | None = None
        self.port = 0

    # -- paths ---------------------------------------------------------------------------

    @property
    def data(self) -> Path:
        """The cluster's data folder."""
        assert self.dir is not None, "TempPostgres not started"
        return self.dir / "data"

    @property
    def sockets(self) -> Path:
        """The folder of the server's unix socket."""
        assert self.dir is not None, "TempPostgres not started"
        return self.dir / "sock"

    def url_for(self, database: str) -> str:
        """A libpq URL to one database of this cluster, over TCP on 127.0.0.1."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        """The URL of the database made at start."""
        return self.url_for(DATABASE)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> str:
        """Create the cluster, start the server, create the database; return its URL."""
        # Not below pytest's tmp_path: that is root-only (0700) and the postgres user
        # must reach its folder.
        self.dir = Path(tempfile.mkdtemp(prefix="wbnb-pg-"))
        self.sockets.mkdir()
        if self._as_postgres:
            for p in (self.dir, self.sockets):
                shutil.chown(p, SUPERUSER, SUPERUSER)
        try:
            self._pg(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            self.port = free_port()
            settings = {
                "listen_addresses": "'127.0.0.1'",
                "port": str(self.port),
                "unix_socket_directories": f"'{self.sockets}'",
                "max_connections": "100",
                "fsync": "on" if self.durable else "off",
                "synchronous_commit": "on" if self.durable else "off",
                "full_page_writes": "on" if self.durable else "off",
            }
            # Appended to postgresql.conf so that a restart keeps them.
            conf = "".join(f"{k} = {v}\n" for k, v in settings.items())
            self._pg("sh", "-c", f"cat >> {self.data / 'postgresql.conf'}", input=conf)
            self._ctl("start")
            self.execute("postgres", f"CREATE DATABASE {DATABASE}")
        except BaseException:
            self.stop()
            raise
        return self.url

    def restart(self) -> None:
        """Restart the server (``pg_ctl restart``): every open connection is cut."""
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-m",
            "fast",
            "-w",
            "-t",
            "60",
            "restart",
            "-l",
            str(self.dir / "server.log"),
        )

    def pause(self) -> None:
        """Shut the server down, keeping its data, until ``resume()`` (an outage)."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def resume(self) -> None:
        """Start the server ``pause()`` stopped."""
        self._ctl("start")

    def stop(self) -> None:
        """Stop the server (if it runs) and remove the folder."""
        if self.dir is None:
            return
        if (self.data / "postmaster.pid").exists():
            try:
                self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass  # already gone: removing the folder is all that is left
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def create_database(self, name: str) -> str:
        """Create another empty database and return its URL."""
        self.execute("postgres", f"CREATE DATABASE {name}")
        return self.url_for(name)

    def execute(self, database: str, sql: str) -> None:
        """Run one statement outside a transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(self.url_for(database), autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> TempPostgres:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- running the programs ------------------------------------------------------------

    def _ctl(self, action: str) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.dir / "server.log"), action)

    def _pg(self, program: str, *args: str, input: str | None = None) -> None:
        """Run a PostgreSQL program (as the postgres user when we are root); raise with
        its output, and the server log's tail, when it fails."""
        exe = str(self.bindir / program) if (self.bindir / program).exists() else program
        extra: dict[str, Any] = {}
        if self._as_postgres:
            extra = {"user": SUPERUSER, "group": SUPERUSER, "extra_groups": []}
        out = subprocess.run(
            [exe, *args],
            input=input,
            capture_output=True,
            text=True,
            cwd=self.dir,
            stdin=None if input is not None else subprocess.DEVNULL,
            **extra,
        )
        if out.returncode != 0:
            log = self.dir / "server.log" if self.dir else None
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({out.returncode}):\n{out.stdout}{out.stderr}\n{tail}"
            )
