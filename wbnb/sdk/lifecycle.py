"""``wbnb.init()`` and the module-level face of the current run.

``init`` resolves settings, opens the run in the store, starts the context collectors
(system sampler, console capture, metadata) and makes the run current:
``wbnb.run``, ``wbnb.config`` and ``wbnb.summary`` point at it, and ``wbnb.log`` and
friends call it. Before ``init`` those raise a clear "call wbnb.init() first".
Open runs are finished at interpreter exit (as ``failed`` after an uncaught exception),
by the process that started them only: a forked child's copies are inert.
Ids come from ``secrets`` (``store/runnames.py``; a new run's name too, given by its
store), so the user's random state is never read or moved (a seeded script gets new
ids each time).
"""

from __future__ import annotations

import atexit
import getpass
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from ..errors import TrialStopped
from ..store.local import LocalStore
from ..store.names import check_name
from ..store.runmeta import RunMeta, check_field
from ..store.runnames import new_run_id, sweep_run_name
from . import trial as trials
from .config import config_defaults, config_to_dict
from .disabled import DisabledRun
from .hooks import notebook_init
from .log_code import LoggedCode, PathFilter, exclude_tooling, include_source
from .metadata import NOTEBOOKS, detect_environment
from .notice import say_once
from .preinit import PreInitError, PreInitObject
from .run import Run, check_tags
from .settings import Settings

_active: list[Run] = []
_lock = threading.RLock()
_exit_state = {"hooked": False, "failed": False, "killed": False}

_REINIT = ("default", "return_previous", "finish_previous", "create_new")
_LOCAL_ONLY = (
    "anonymous",
    "sync_tensorboard",
    "monitor_gym",
    "resume_from",
    "fork_from",
    "force",
    "magic",
    "tensorboard",
)


def init(
    project: str | None = None,
    entity: str | None = None,
    name: str | None = None,
    id: str | None = None,
    notes: str | None = None,
    tags: Sequence[str] | None = None,
    group: str | None = None,
    job_type: str | None = None,
    config: Any = None,
    dir: str | os.PathLike[str] | None = None,
    mode: str | None = None,
    resume: bool | str | None = None,
    reinit: bool | str | None = None,
    settings: Settings | dict[str, Any] | None = None,
    save_code: bool | None = None,
    config_exclude_keys: Sequence[str] | None = None,
    config_include_keys: Sequence[str] | None = None,
    allow_val_change: bool | None = None,
    **cloud_only: Any,
) -> Run | DisabledRun:
    """Start a run and make it current; returns it.

    Runs go to a local store (``./wbnb-runs``; ``dir=`` or ``WBNB_DIR`` moves it).
    Arguments left out come from ``settings`` and then the environment (``WBNB_*``,
    else wandb's ``WANDB_*``: see ``wbnb.sdk.settings``). ``config`` goes over
    ``config-defaults.yaml`` in the working directory, read first as wandb does.
    ``mode="disabled"`` returns a run whose calls, module-level ones too, are cheap
    no-ops. ``resume`` is
    ``"allow"``, ``"must"``, ``"never"`` or ``True``/``"auto"`` (continue this
    project's last unfinished run). ``reinit`` decides what happens to a run that is
    still open: ``"finish_previous"`` (the default in notebooks), ``"return_previous"``
    (the default in scripts) or ``"create_new"`` (keep both open).
    """
    unknown = sorted(set(cloud_only) - set(_LOCAL_ONLY))
    if unknown:
        raise TypeError(f"init() got unexpected argument(s): {', '.join(unknown)}")
    for key, value in cloud_only.items():
        if value:
            say_once(f"init:{key}", f"init({key}=...) has no meaning for a local store and is ignored")
    s = (
        Settings.from_env()
        .updated(settings)
        .updated(
            {
                "dir": dir,
                "mode": mode,
                "project": project,
                "entity": entity,
                "run_name": name,
                "run_id": id,
                "run_notes": notes,
                "run_group": group,
                "run_job_type": job_type,
                "resume": resume,
                "reinit": reinit,
                "save_code": save_code,
                "allow_val_change": allow_val_change,
            }
        )
    )
    notebook = detect_environment() in NOTEBOOKS
    if s.allow_val_change is None:
        s = s.updated({"allow_val_change": notebook})
    config_dict = _select({**config_defaults(), **config_to_dict(config)}, config_include_keys, config_exclude_keys)
    tags = tags if tags is not None else s.run_tags
    project = check_name("project", s.project or "uncategorized")  # wandb's rules: store/names.py
    entity = check_name("entity", s.entity) if s.entity else None
    for field, given, setting in (
        ("name", name, s.run_name),
        ("notes", notes, s.run_notes),
        ("group", group, s.run_group),
        ("job_type", job_type, s.run_job_type),
    ):  # as runmeta.py declares them (the server's rule)
        check_field(field, given)  # as given: Settings would turn a wrong type into text
        check_field(field, setting)  # from the environment or settings= too
    given_tags = check_tags(tags) if tags is not None else None
    if s.mode == "disabled":
        trial = trials.take(LocalStore(s.dir))
        if trial is not None:
            config_dict = trial.disabled(config_dict)
        disabled = DisabledRun(s, config_dict, project, s.run_name, s.run_id, on_finish=_forget)
        with _lock:
            _make_current(disabled)
        return disabled

    with _lock:
        # A sweep's trial waiting for this init() is opened, not a run left open before the
        # agent: that one is finished, as in a notebook (wandb's agent tears it down).
        previous = _previous_run(s.reinit, notebook or trials.waiting())
        if previous is not None:
            return previous
        store = LocalStore(s.dir)
        remote = remote_store(s) if s.mode == "online" else None
        trial = trials.take(remote or store)  # a sweep's trial names the run (sdk/trial.py)
        if trial is not None:
            project, run_id, config_dict = trial.apply(s.project, s.run_id, config_dict)
            entity = check_name("entity", trial.entity) if trial.entity else entity
            resume_mode = None
        else:
            run_id, resume_mode = _resolve_id(store, project, s.run_id, s.resume)
        # What the user gave, and nothing else: the store fills in a new run's name,
        # tags, config and creation time, and a resumed run keeps its own (runmeta.py).
        meta: RunMeta = {
            "id": run_id,
            "project": project,
            "entity": remote.entity if remote else entity or _user(),
            "name": s.run_name or (sweep_run_name(trial.seq) if trial is not None else None),
            "notes": s.run_notes,
            "group": s.run_group,
            "job_type": s.run_job_type,
            "mode": s.mode,
        }
        if given_tags is not None:
            meta["tags"] = given_tags
        if trial is not None:
            meta["sweep_id"] = trial.sweep_id
        # A server run is spooled in the local store and uploaded behind (store/uploader.py).
        writer = (remote or store).open_run(project, run_id, meta, resume_mode)
        run = Run(store, writer, s, on_finish=_forget)
        run.config.update(config_dict, allow_val_change=True)
        _start_collectors(run, writer, s)
        if trial is not None:
            trial.opened(run)
        _remember_last(store, project, run_id)
        _active.append(run)
        _make_current(run)
        _hook_exit()
    if not s.silent:
        verb = "resumed" if run.resumed else "started"
        # stderr keeps a script's stdout clean; a notebook would paint it as a red warning.
        where = (
            f"logging to {remote.conn.base_url} as {remote.entity}, spooled in {store.root}"
            if remote
            else f"stored in {store.root}"
        )
        print(
            f"wbnb: {verb} run {run.name} ({project}/{run_id})\n"
            f"wbnb: {where}; look at it with `wbnb show {project}/{run_id}`",
            file=sys.stdout if notebook else sys.stderr,
        )
        if detect_environment() == "colab":
            say_once(
                "colab",
                "Colab's disk goes away with the runtime. To keep runs, mount Google Drive and "
                "pass init(dir='/content/drive/MyDrive/wbnb-runs') (or set WBNB_DIR).",
            )
    if notebook:
        notebook_init(run, s)
    return run


def _select(config: dict[str, Any], include: Sequence[str] | None, exclude: Sequence[str] | None) -> dict[str, Any]:
    if include:
        config = {k: v for k, v in config.items() if k in include}
    if exclude:
        config = {k: v for k, v in config.items() if k not in exclude}
    return config


def _previous_run(reinit: bool | str | None, notebook: bool) -> Run | None:
    """Apply ``reinit`` to the open runs; return the run to hand back, if any."""
    if reinit is True:
        reinit = "finish_previous"
    elif reinit is False:
        reinit = "return_previous"
    reinit = reinit or "default"
    if reinit not in _REINIT:
        raise ValueError(f"reinit must be one of {', '.join(_REINIT)} (or a bool), got {reinit!r}")
    if reinit == "default":
        reinit = "finish_previous" if notebook else "return_previous"
    if not _active or reinit == "create_new":
        return None
    if reinit == "return_previous":
        say_once(
            "reinit",
            "init() returned the run that is still open; pass reinit='finish_previous' "
            "or 'create_new' for a new one, or call finish() first",
        )
        return _active[-1]
    for run in list(_active):
        run.finish()
    return None


def remote_store(s: Settings) -> Any:
    """The ``RemoteStore`` of the server ``s`` names (settings, environment or the last
    ``login()``), spooling into ``s.dir``; None for the local store. The key is
    checked here, so a wrong one fails ``init()`` rather than the upload thread."""
    from . import credentials

    server = credentials.server_for(s)
    if server is None:
        return None
    from ..store.remote import AuthError, Connection, RemoteStore, ServerError
    from .login import check_key

    if not server.key:
        raise ValueError(
            f"no API key for {server.url}: call wbnb.login(key=..., host={server.url!r}) or set WBNB_API_KEY"
        )
    entity = server.entity
    try:
        entity = check_key(server.url, server.key)
    except AuthError:
        raise
    except ServerError as e:
        if entity is None:
            raise ServerError(
                f"{e}, and the entity to log as is unknown: pass init(entity=...) "
                "or log in once with wbnb.login() while the server is up"
            ) from None
        say_once(f"offline:{server.url}", f"{e}; logging into {s.dir} and uploading when it is back")
    # finish() waits for the upload within its own bound, leaving time to report.
    return RemoteStore(Connection(server.url, server.key), entity, spool=s.dir, upload_timeout=0.7 * s.finish_timeout)


def _resolve_id(
    store: LocalStore, project: str, run_id: str | None, resume: bool | str | None
) -> tuple[str, str | None]:
    if resume in (None, False):
        mode = None
    elif resume is True or resume == "auto":
        mode = "allow"
        if run_id is None:
            last = _last_unfinished(store, project)
            if last is None:
                return new_run_id(), None
            return last, "allow"
    elif resume in ("allow", "must", "never"):
        mode = resume
    else:
        raise ValueError(f"resume must be True, False, 'allow', 'must', 'never' or 'auto', got {resume!r}")
    if mode == "must" and run_id is None:
        raise ValueError("resume='must' needs the id of the run to continue: init(id=..., resume='must')")
    return check_name("run id", run_id) if run_id is not None else new_run_id(), mode


def _user() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "local"
    return re.sub(r"[^A-Za-z0-9._-]", "-", user) or "local"


def _remember_last(store: LocalStore, project: str, run_id: str) -> None:
    try:
        (store.project_dir(project) / ".last_run").write_text(run_id)
    except OSError:
        pass  # only resume=True without an id reads it


def _last_unfinished(store: LocalStore, project: str) -> str | None:
    try:
        run_id = (store.project_dir(project) / ".last_run").read_text().strip()
        return run_id if store.run(project, run_id).get("state") != "finished" else None
    except (OSError, KeyError, ValueError):
        return None


def _start_collectors(run: Run, writer: Any, s: Settings) -> None:
    from .console import ConsoleCapture
    from .metadata import collect_metadata
    from .system import SystemMonitor

    start = run.start_time
    environment = detect_environment()  # here: marimo's context belongs to this thread
    if s.system_interval and s.system_interval > 0:
        monitor = SystemMonitor(
            lambda sample: writer.log_system(time.time(), time.time() - start, sample), interval=s.system_interval
        )
        monitor.start()
        run._stoppers.append(lambda timeout: monitor.stop(timeout=timeout))
    if s.console:
        capture = ConsoleCapture(
            lambda stream, line: writer.log_console(stream, line, time.time()), in_place=environment == "marimo"
        )
        capture.start()
        run._stoppers.append(lambda timeout: capture.stop())

    def metadata() -> None:
        md = collect_metadata(environment=environment)
        with run._lock:  # one run.json writer at a time (the training thread saves config, ...)
            run._writer.save_meta(metadata=md)
        program = md.get("program")
        if s.save_code and program and os.path.isfile(program):
            run.save(program, base_path=os.path.dirname(program), policy="now")

    collector = threading.Thread(target=metadata, name="wbnb-metadata", daemon=True)
    collector.start()
    run._stoppers.insert(0, collector.join)


def _make_current(run: Run | DisabledRun | None) -> None:
    module: Any = sys.modules["wbnb"]
    module.run = run
    module.config = run.config if run is not None else PreInitObject("wbnb.config")
    module.summary = run.summary if run is not None else PreInitObject("wbnb.summary")


def _forget(run: Run | DisabledRun) -> None:
    with _lock:
        if run in _active:
            _active.remove(run)
        if sys.modules["wbnb"].run is run:
            _make_current(_active[-1] if _active else None)


def open_runs() -> list[Run]:
    """The runs started and not yet finished, oldest first."""
    return list(_active)


def current_run() -> Run | None:
    """``wbnb.run``: the current run (a disabled one included), or None before ``init()``."""
    run: Run | None = sys.modules["wbnb"].run
    return run


def current(what: str) -> Run:
    """The current run (a disabled one takes every call and does nothing), or a
    ``PreInitError`` that says to call ``wbnb.init()``."""
    run = current_run()
    if run is None:
        raise PreInitError(f"wbnb.{what}() was called before wbnb.init(): call wbnb.init() first")
    return run


# The module-level calls of the wandb surface: each acts on the current run.


def log(data: Any, step: int | None = None, commit: bool | None = None, sync: bool | None = None) -> None:
    """``wbnb.run.log(...)``: record metrics at the current step of the current run."""
    current("log").log(data, step=step, commit=commit)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run (nothing to do when there is none)."""
    run = current_run()
    if run is not None:
        run.finish(exit_code=exit_code, quiet=quiet)


def save(glob_str: Any, base_path: Any = None, policy: str = "live") -> list[str]:
    """``wbnb.run.save(...)``: keep files matching ``glob_str`` with the current run."""
    return current("save").save(glob_str, base_path=base_path, policy=policy)


def log_code(
    root: str | os.PathLike[str] | None = ".",
    name: str | None = None,
    include_fn: PathFilter = include_source,
    exclude_fn: PathFilter = exclude_tooling,
) -> LoggedCode | None:
    """``wbnb.run.log_code(...)`` on the current run."""
    return current("log_code").log_code(root, name=name, include_fn=include_fn, exclude_fn=exclude_fn)


def mark_preempting() -> None:
    """``wbnb.run.mark_preempting()`` on the current run."""
    current("mark_preempting").mark_preempting()


def define_metric(name: str, **kwargs: Any) -> Any:
    """``wbnb.run.define_metric(...)`` on the current run."""
    return current("define_metric").define_metric(name, **kwargs)


def alert(title: str, text: str, level: Any = "INFO", wait_duration: Any = None) -> None:
    """``wbnb.run.alert(...)`` on the current run."""
    current("alert").alert(title, text, level=level, wait_duration=wait_duration)


def watch(
    models: Any,
    criterion: Any = None,
    log: str | None = "gradients",
    log_freq: int = 1000,
    idx: int | None = None,
    log_graph: bool = False,
    scaler: Any = None,
) -> None:
    """``wbnb.run.watch(...)``: histograms of a torch model's gradients / parameters
    (``Run.watch`` says how; ``scaler`` is the ``torch.amp.GradScaler`` to unscale by)."""
    current("watch").watch(
        models, criterion=criterion, log=log, log_freq=log_freq, idx=idx, log_graph=log_graph, scaler=scaler
    )


def unwatch(models: Any = None) -> None:
    """Remove the hooks ``watch`` installed on ``models`` (all watched models when None)
    of the current run."""
    current("unwatch").unwatch(models)


def log_artifact(
    artifact_or_path: Any,
    name: str | None = None,
    type: str | None = None,
    aliases: list[str] | None = None,
    tags: list[str] | None = None,
) -> Any:
    """``wbnb.run.log_artifact(...)`` on the current run."""
    return current("log_artifact").log_artifact(artifact_or_path, name=name, type=type, aliases=aliases, tags=tags)


def use_artifact(
    artifact_or_name: Any, type: str | None = None, aliases: list[str] | None = None, use_as: str | None = None
) -> Any:
    """``wbnb.run.use_artifact(...)`` on the current run."""
    return current("use_artifact").use_artifact(artifact_or_name, type=type, aliases=aliases, use_as=use_as)


def log_model(path: str | os.PathLike[str], name: str | None = None, aliases: list[str] | None = None) -> Any:
    """``wbnb.run.log_model(...)`` on the current run."""
    return current("log_model").log_model(path, name=name, aliases=aliases)


def use_model(name: str) -> str:
    """``wbnb.run.use_model(...)`` on the current run."""
    return current("use_model").use_model(name)


def link_model(
    path: str | os.PathLike[str], registered_model_name: str, name: str | None = None, aliases: list[str] | None = None
) -> Any:
    """``wbnb.run.link_model(...)`` on the current run."""
    return current("link_model").link_model(path, registered_model_name, name=name, aliases=aliases)


def _hook_exit() -> None:
    if _exit_state["hooked"]:
        return
    _exit_state["hooked"] = True
    previous = sys.excepthook

    def excepthook(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
        if isinstance(exc, TrialStopped):  # a sweep stopped this program's trial: why, in one line
            _exit_state["killed"] = True
            print(f"wbnb: {exc.message}", file=sys.stderr)
            return
        _exit_state["failed"] = True
        for run in list(_active):
            run.record_exception(exc)
        previous(exc_type, exc, tb)

    sys.excepthook = excepthook
    atexit.register(_finish_all_at_exit)


def _finish_all_at_exit() -> None:
    for run in list(reversed(_active)):
        if _exit_state["killed"]:
            run._end(exit_code=None, quiet=None, state="killed")
        else:
            run.finish(exit_code=1 if _exit_state["failed"] else 0)


def _forget_runs_in_child() -> None:
    """After ``os.fork()``, in the child: the open runs are the parent's. They become
    inert here and leave ``_active``, so the child's exit hooks finish none of them;
    ``wbnb.init()`` in the child starts a run of its own."""
    global _lock
    _lock = threading.RLock()  # another thread may have held it at the fork
    runs, _active[:] = list(_active), []  # first: whatever happens next, exit hooks leave them alone
    for run in runs:
        run._forked()


os.register_at_fork(after_in_child=_forget_runs_in_child)
