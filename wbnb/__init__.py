"""wbnb: a Jupyter-native experiment tracker with the wandb surface.

    import wbnb as wandb
    run = wandb.init(project="demo", config={"lr": 1e-3})
    wandb.log({"loss": 0.5})
    wandb.finish()

This module only re-exports; see ARCHITECTURE.md for where things live.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import errors
from ._version import __version__ as __version__
from .artifacts.home import provide as provide_artifact_calls
from .errors import Error
from .restore import restore
from .sdk.agent import agent, sweep
from .sdk.alert import AlertLevel
from .sdk.config import Config, ConfigError
from .sdk.hooks import on_notebook_init
from .sdk.lifecycle import (
    alert,
    define_metric,
    finish,
    init,
    link_model,
    log,
    log_artifact,
    log_code,
    log_model,
    mark_preempting,
    save,
    unwatch,
    use_artifact,
    use_model,
    watch,
)
from .sdk.login import login
from .sdk.preinit import PreInitError, PreInitObject
from .sdk.require import require
from .sdk.restore_hook import provide_restore
from .sdk.run import Run
from .sdk.settings import Settings
from .sdk.setup import setup, teardown
from .sdk.term import termerror, termlog, termwarn
from .store.base import RunNotFound, StoreError

# numpy and pandas cost more to import than the rest of wbnb: these load on first use.
_LAZY = {
    "Api": ".api",
    "Artifact": ".artifacts.artifact",
    "Audio": ".data",
    "Classes": ".data",
    "Histogram": ".data",
    "Html": ".data",
    "Image": ".data",
    "Object3D": ".data",
    "Plotly": ".data",
    "Table": ".data",
    "Video": ".data",
    "box3d": ".data",
    "plot": ".data",
    "plot_table": ".data.custom_chart",
    "load_ipython_extension": ".jupyter",
}
# The framework integrations import their framework: modules reached as attributes on first use
# (not in __all__, so `from wbnb import *` imports no framework, installed or not).
_LAZY_MODULES = {"sklearn": ".sklearn", "keras": ".keras", "integration": ".integration"}

if TYPE_CHECKING:
    from . import integration as integration
    from . import keras as keras
    from . import sklearn as sklearn
    from .api import Api
    from .artifacts.artifact import Artifact
    from .data import Audio, Classes, Histogram, Html, Image, Object3D, Plotly, Table, Video, box3d, plot
    from .data.custom_chart import plot_table
    from .jupyter import load_ipython_extension as load_ipython_extension


def _notebook_init(run: Run, settings: Settings) -> None:
    # The tracker calls this after init() in a notebook; the notebook layer (IPython's
    # cell hooks, the live panel) loads only then.
    from .jupyter.hooks import on_init

    on_init(run, settings)


def _public_run(store: Any, ref: Any) -> Any:
    # An artifact's lineage edge as a public Run (wbnb.api, above the artifacts layer).
    from .api import Run as PublicRun

    return PublicRun(store, store.run(ref.project, ref.run_id))


def _save_draft(artifact: Any, project: str | None) -> None:
    # Artifact.save() of a draft: logged by the current run, or by a run made for it (wandb's).
    from .sdk.lifecycle import current_run

    current = current_run()
    if current is not None:
        current.log_artifact(artifact)
        return
    with init(project=project, job_type="auto") as made:
        made.log_artifact(artifact)


on_notebook_init(_notebook_init)
provide_restore(restore)
provide_artifact_calls(_public_run, _save_draft)


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return import_module(_LAZY_MODULES[name], __name__)
    if name not in _LAZY:
        raise AttributeError(f"module 'wbnb' has no attribute {name!r}")
    return getattr(import_module(_LAZY[name], __name__), name)


# The current run; init() sets these, finish() resets them.
run: Run | None = None
config = PreInitObject("wbnb.config")
summary = PreInitObject("wbnb.summary")

__all__ = [
    "AlertLevel",
    "Api",
    "Artifact",
    "Audio",
    "Classes",
    "Config",
    "ConfigError",
    "Error",
    "Histogram",
    "Html",
    "Image",
    "Object3D",
    "Plotly",
    "PreInitError",
    "Run",
    "RunNotFound",
    "Settings",
    "StoreError",
    "Table",
    "Video",
    "agent",
    "alert",
    "box3d",
    "config",
    "define_metric",
    "errors",
    "finish",
    "init",
    "link_model",
    "log",
    "log_artifact",
    "log_code",
    "log_model",
    "login",
    "mark_preempting",
    "plot",
    "plot_table",
    "require",
    "restore",
    "run",
    "save",
    "setup",
    "summary",
    "sweep",
    "teardown",
    "termerror",
    "termlog",
    "termwarn",
    "unwatch",
    "use_artifact",
    "use_model",
    "watch",
]
