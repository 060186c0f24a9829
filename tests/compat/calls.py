"""The wandb calls ``docs/wandb-compat.md`` reports on: the one list the page is generated from.

Each ``Call`` says how to check it against this code (``tests/compat/runner.py`` does):

- ``path``: attribute paths below ``wbnb``, space-separated (``"sdk.wandb_run.finish"``,
  ``"Run.log_code"``), that must exist; submodules are imported on the way.
- ``code``: a snippet that must run without raising, with ``setup`` run first. Each call
  runs in a fresh process (forked), in an empty working directory, against an empty
  local store (``WBNB_DIR``), not silent, with no ``WBNB_*`` / ``WANDB_*`` variable set
  but the store's, ``WBNB_SYSTEM_INTERVAL=0`` and ``WBNB_CONSOLE=0``. Names it sees:
  ``wandb`` (wbnb), ``os``, ``Path``, ``np`` (numpy), ``stored(run)`` (the run as
  ``Api()`` reads it back) and ``cli(*args)`` (runs ``wbnb ARGS``, returns its stdout,
  raises unless it exits 0). Assert a real outcome: what the store holds afterwards.
- ``ignored``: for a cloud feature wbnb accepts and ignores: a word its notice must
  contain. Whatever ``code`` prints (or warns) on a line with that word is the notice
  the page shows; a call that is ignored without a notice fails the test.
- ``needs``: modules the check imports that are not wbnb's dependencies.

A call whose path is missing or whose snippet raises is "not supported"; it flips to
supported on its own once the code is there. Run
``WBNB_UPDATE_DOCS=1 python -m pytest tests/test_compat_page.py`` to rewrite the page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    """One wandb call, as wandb's docs write it, and how to check it here."""

    section: str
    call: str
    path: str = ""
    code: str = ""
    setup: str = ""
    ignored: str = ""
    needs: tuple[str, ...] = ()
    note: str = ""


# A finished run with some history, config and a saved file, for the read-side checks.
LOGGED = """
run = wandb.init(project="p", id="r1", name="first", config={"lr": 0.1, "opt": "sgd"}, tags=["a"])
for i in range(10):
    run.log({"loss": 1 / (i + 1), "acc": i / 10})
Path(run.dir, "model.txt").write_text("weights")
run.finish()
api_run = wandb.Api().run("p/r1")
"""

# An artifact logged by one run, for the artifact checks.
ARTIFACT = """
Path("data").mkdir()
Path("data/a.txt").write_text("a")
run = wandb.init(project="p", id="producer")
art = wandb.Artifact("dataset", type="dataset", metadata={"rows": 1})
art.add_file("data/a.txt")
run.log_artifact(art, aliases=["best"])
run.finish()
"""

SWEEP = """
config = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"lr": {"values": [0.1, 0.01]}, "layers": {"value": 2}},
}
def train():
    run = wandb.init()
    run.log({"loss": run.config.lr * run.config.layers})
    run.finish()
"""

M, RUN, CONFIG, SUMMARY, ENV = "Module", "Run", "Config", "Summary", "Settings and environment"
DATA, PLOT, ART, SWEEPS, API, PUBLIC, CLI, INTEG = (
    "Data types",
    "plot",
    "Artifacts",
    "Sweeps",
    "Api",
    "Public Run (Api().run())",
    "CLI",
    "Integrations",
)

CALLS: list[Call] = [
    # --- module ---------------------------------------------------------------------
    Call(
        M,
        "wandb.init(project=, entity=, name=, id=, notes=, tags=, group=, job_type=, config=)",
        code="""
run = wandb.init(project="p", entity="me", name="n", id="i1", notes="why", tags=["a"], group="g",
                 job_type="train", config={"lr": 0.1})
run.finish()
r = stored(run)
assert (r.name, r.notes, r.tags, r.group, r.job_type, r.config["lr"]) == ("n", "why", ["a"], "g", "train", 0.1)
""",
    ),
    Call(
        M,
        "wandb.init(config=argparse.Namespace / SimpleNamespace)",
        code="""
import argparse, types
run = wandb.init(project="p", config=argparse.Namespace(lr=0.1))
run.config.update(types.SimpleNamespace(layers=2))
run.finish()
assert stored(run).config == {"lr": 0.1, "layers": 2}
""",
    ),
    Call(
        M,
        'wandb.init(config="config.yaml")',
        setup='Path("config.yaml").write_text("lr: 0.1\\n")',
        code='assert wandb.init(project="p", config="config.yaml").config.lr == 0.1',
        needs=("yaml",),
    ),
    Call(
        M,
        "config-defaults.yaml in the working directory",
        setup='Path("config-defaults.yaml").write_text("lr:\\n  desc: rate\\n  value: 0.3\\n")',
        code='assert wandb.init(project="p").config.lr == 0.3',
        needs=("yaml",),
    ),
    Call(
        M,
        'wandb.init(project="project name")',
        code="""
run = wandb.init(project="project name")
run.finish()
assert wandb.Api().run(f"project name/{run.id}").project == "project name"
""",
    ),
    Call(
        M,
        'wandb.init(mode="offline")',
        code='run = wandb.init(project="p", mode="offline"); run.finish(); assert stored(run).state == "finished"',
    ),
    Call(
        M,
        'wandb.init(mode="disabled"): run calls are no-ops',
        code="""
run = wandb.init(project="p", mode="disabled")
run.log({"a": 1}); run.config.lr = 0.1; run.summary["x"] = 1; run.finish()
assert run.config.lr == 0.1 and not Path(os.environ["WBNB_DIR"]).exists()
""",
    ),
    Call(
        M,
        'wandb.init(mode="disabled"): module-level wandb.log / config / summary are no-ops',
        code="""
wandb.init(project="p", mode="disabled")
wandb.log({"a": 1}); wandb.config.lr = 0.1; wandb.summary["x"] = 1; wandb.finish()
assert not Path(os.environ["WBNB_DIR"]).exists()
""",
    ),
    Call(
        M,
        'wandb.init(id=, resume="allow" | "must" | True)',
        code="""
wandb.init(project="p", id="r").log({"a": 1}); wandb.finish()
run = wandb.init(project="p", id="r", resume="must"); run.log({"a": 2}); run.finish()
assert stored(run).lastHistoryStep == 1 and run.resumed
""",
    ),
    Call(
        M,
        'wandb.init(reinit="finish_previous" | "create_new" | True)',
        code="""
first = wandb.init(project="p", reinit="create_new")
second = wandb.init(project="p", reinit="finish_previous")
second.finish()
assert stored(first).state == "finished" and first.id != second.id
""",
    ),
    Call(
        M,
        "wandb.init(save_code=True)",
        setup="""
Path("train.py").write_text("import wbnb\\n" "wbnb.init(project='p', id='r1', save_code=True).finish()\\n")
""",
        code="""
import subprocess, sys
subprocess.run([sys.executable, "train.py"], check=True, capture_output=True)
assert wandb.restore("train.py", run_path="p/r1", root="back").read().startswith("import wbnb")
""",
    ),
    Call(
        M,
        "with wandb.init() as run: (failed when the block raises)",
        code="""
try:
    with wandb.init(project="p", id="ctx") as run:
        raise KeyError("boom")
except KeyError:
    pass
assert wandb.Api().run("p/ctx").state == "failed"
""",
    ),
    Call(
        M,
        "wandb.init(sync_tensorboard=True)",
        code='wandb.init(project="p", sync_tensorboard=True)',
        ignored="sync_tensorboard",
    ),
    Call(M, "wandb.init(monitor_gym=True)", code='wandb.init(project="p", monitor_gym=True)', ignored="monitor_gym"),
    Call(M, 'wandb.init(anonymous="allow")', code='wandb.init(project="p", anonymous="allow")', ignored="anonymous"),
    Call(M, "wandb.init(magic=True)", code='wandb.init(project="p", magic=True)', ignored="magic"),
    Call(M, "wandb.init(force=True)", code='wandb.init(project="p", force=True)', ignored="force"),
    Call(
        M,
        'wandb.init(resume_from="<run>?_step=N")',
        code='wandb.init(project="p", resume_from="r1?_step=5")',
        ignored="resume_from",
    ),
    Call(
        M,
        'wandb.init(fork_from="<run>?_step=N")',
        code='wandb.init(project="p", fork_from="r1?_step=5")',
        ignored="fork_from",
    ),
    Call(
        M,
        "wandb.run / wandb.config / wandb.summary after init",
        code="""
run = wandb.init(project="p", config={"lr": 0.1})
assert wandb.run is run and wandb.config.lr == 0.1
wandb.summary["best"] = 3
run.finish()
assert stored(run).summary["best"] == 3
""",
    ),
    Call(
        M,
        'module calls before init raise "call wbnb.init() first" (a wandb.errors.UsageError)',
        code="""
for call in (lambda: wandb.log({"a": 1}), lambda: wandb.config.lr, lambda: wandb.save("x")):
    try:
        call()
    except wandb.errors.UsageError as e:
        assert "init()" in str(e)
    else:
        raise AssertionError("no error before init")
""",
    ),
    Call(
        M,
        "wandb.log(data, step=, commit=)",
        code="""
run = wandb.init(project="p")
wandb.log({"a": 1}, commit=False); wandb.log({"b": 2}); wandb.log({"a": 3}, step=5)
run.finish()
assert [(r["_step"], r.get("a"), r.get("b")) for r in stored(run).scan_history()] == [(0, 1, 2), (5, 3, None)]
""",
    ),
    Call(
        M,
        "wandb.finish(exit_code=)",
        code="""
run = wandb.init(project="p"); wandb.finish(exit_code=1)
assert wandb.run is None and stored(run).state == "failed"
""",
    ),
    Call(
        M,
        'wandb.save(glob, base_path=, policy="live" | "now" | "end")',
        code="""
Path("out").mkdir(); Path("out/m.txt").write_text("m")
run = wandb.init(project="p"); wandb.save("out/*.txt", base_path=".", policy="now"); run.finish()
assert (Path(run.dir) / "out" / "m.txt").read_text() == "m"
""",
    ),
    Call(M, "wandb.define_metric(name, step_metric=, summary=, goal=, hidden=)", path="define_metric"),
    Call(
        M,
        "wandb.alert(title, text, level=wandb.AlertLevel.WARN, wait_duration=)",
        code="""
run = wandb.init(project="p"); wandb.alert("low acc", "acc fell", level=wandb.AlertLevel.WARN); run.finish()
assert [e["title"] for e in stored(run).events() if e["kind"] == "alert"] == ["low acc"]
""",
    ),
    Call(
        M,
        'wandb.watch(model, criterion=, log="gradients" | "parameters" | "all", log_freq=)',
        code="""
import torch
run = wandb.init(project="p")
model = torch.nn.Linear(2, 1)
wandb.watch(model, log="all", log_freq=1)
model(torch.ones(3, 2)).sum().backward(); run.log({"loss": 1.0})
wandb.unwatch(model); run.finish()
assert any(k.startswith("gradients/") for k in stored(run).summary)
""",
        needs=("torch",),
    ),
    Call(M, "wandb.login() with no server", code="assert wandb.login() is True"),
    Call(
        M,
        "wandb.login(key=...) with no server (keeps the key, runs stay local)",
        code='assert wandb.login(key="0123456789abcdef0123456789abcdef01234567") is True',
    ),
    Call(
        M,
        "wandb.log_code(root=, include_fn=, exclude_fn=)",
        code="""
Path("train.py").write_text("print(1)\\n")
run = wandb.init(project="p"); wandb.log_code("."); run.finish()
assert stored(run).meta["code"]["files"] == 1
""",
    ),
    Call(
        M,
        "wandb.restore(name, run_path=, replace=, root=)",
        setup=LOGGED,
        code="""
with wandb.restore("model.txt", run_path="p/r1", root="here") as f:
    assert f.read() == "weights"
""",
    ),
    Call(
        M,
        "wandb.mark_preempting()",
        code='wandb.init(project="p", id="r1"); wandb.mark_preempting()',
        ignored="preempting",
    ),
    Call(M, 'wandb.require("core" | "service")', code='wandb.require("core")', ignored="require"),
    Call(
        M,
        "wandb.setup(settings=)",
        code="""
wandb.setup(settings={"project": "from-setup"})
run = wandb.init(); run.finish()
assert stored(run).project == "from-setup"
""",
    ),
    Call(
        M,
        "wandb.teardown(exit_code=)",
        code="""
run = wandb.init(project="p"); wandb.teardown()
assert wandb.run is None and stored(run).state == "finished"
""",
    ),
    Call(
        M,
        "wandb.termlog / termwarn / termerror",
        code="""
import contextlib, io
err = io.StringIO()
with contextlib.redirect_stderr(err):
    wandb.termlog("a"); wandb.termwarn("b"); wandb.termerror("c")
assert err.getvalue() == "wbnb: a\\nwbnb: WARNING b\\nwbnb: ERROR c\\n"
""",
    ),
    Call(
        M,
        "wandb.errors.Error / CommError / UsageError / AuthenticationError / UnsupportedError",
        path="errors.UnsupportedError",
        code="""
assert issubclass(wandb.errors.AuthenticationError, wandb.errors.CommError)
assert issubclass(wandb.errors.UsageError, wandb.errors.Error) and wandb.Error is wandb.errors.Error
try:
    wandb.Api().run("p/missing")
except wandb.errors.Error:
    pass
""",
    ),
    Call(
        M,
        "wandb.sdk.wandb_run.Run / wandb.sdk.wandb_run.finish() (attribute paths)",
        code="""
run = wandb.init(project="p")
assert isinstance(run, wandb.sdk.wandb_run.Run)
wandb.sdk.wandb_run.finish()
assert stored(run).state == "finished"
""",
    ),
    Call(M, "wandb.Api()", path="Api"),
    Call(M, "wandb.Artifact(name, type)", path="Artifact"),
    Call(M, "wandb.sweep(config) / wandb.agent(sweep_id, function=)", path="sweep agent"),
    Call(M, "wandb.log_artifact(artifact) / wandb.use_artifact(name)", path="log_artifact use_artifact"),
    Call(M, "wandb.log_model / use_model / link_model", path="log_model use_model link_model"),
    # --- settings and environment -----------------------------------------------------
    Call(
        ENV,
        "wandb.Settings(...) with wandb's field names",
        code="""
s = wandb.Settings(project="p", console="off", silent=True)
run = wandb.init(settings=s); print("hello"); run.finish()
assert stored(run).project == "p" and stored(run).console() == []
""",
    ),
    Call(
        ENV,
        "wandb.Settings(...) merges with the environment",
        code="""
os.environ["WBNB_PROJECT"] = "from-env"
run = wandb.init(settings=wandb.Settings(silent=True)); run.finish()
assert Path(run.dir).is_relative_to(Path(os.environ["WBNB_DIR"])) and run.project == "from-env"
""",
    ),
    Call(
        ENV,
        'wandb.Settings(start_method="thread") (wandb-only fields)',
        code='wandb.init(project="p", settings=wandb.Settings(start_method="thread"))',
        ignored="start_method",
    ),
    Call(
        ENV,
        "WANDB_MODE=disabled",
        code="""
os.environ["WANDB_MODE"] = "disabled"
wandb.init(project="p"); wandb.log({"a": 1}); wandb.finish()
assert not Path(os.environ["WBNB_DIR"]).exists()
""",
    ),
    Call(
        ENV,
        "WANDB_MODE=offline",
        code="""
os.environ["WANDB_MODE"] = "offline"
assert wandb.init(project="p").offline
""",
    ),
    Call(
        ENV,
        "WANDB_PROJECT / WANDB_ENTITY",
        code="""
os.environ.update(WANDB_PROJECT="envp", WANDB_ENTITY="team")
run = wandb.init(); run.finish()
assert (run.project, run.entity) == ("envp", "team")
""",
    ),
    Call(
        ENV,
        "WANDB_NAME / WANDB_NOTES / WANDB_TAGS",
        code="""
os.environ.update(WANDB_NAME="nm", WANDB_NOTES="why", WANDB_TAGS="a,b")
run = wandb.init(project="p"); run.finish()
assert (run.name, run.notes, tuple(run.tags)) == ("nm", "why", ("a", "b"))
""",
    ),
    Call(
        ENV,
        "WANDB_RUN_ID / WANDB_RESUME",
        code="""
wandb.init(project="p", id="r").finish()
os.environ.update(WANDB_RUN_ID="r", WANDB_RESUME="allow")
run = wandb.init(project="p"); run.finish()
assert run.id == "r" and run.resumed
""",
    ),
    Call(
        ENV,
        "WANDB_RUN_GROUP / WANDB_JOB_TYPE",
        code="""
os.environ.update(WANDB_RUN_GROUP="g", WANDB_JOB_TYPE="eval")
run = wandb.init(project="p"); run.finish()
assert (stored(run).group, stored(run).job_type) == ("g", "eval")
""",
    ),
    Call(
        ENV,
        "WANDB_DIR",
        code="""
del os.environ["WBNB_DIR"]
os.environ["WANDB_DIR"] = str(Path("elsewhere").resolve())
run = wandb.init(project="p"); run.finish()
assert Path(run.dir).resolve().is_relative_to(Path("elsewhere").resolve())
""",
    ),
    Call(
        ENV,
        "WANDB_SILENT",
        code="""
import contextlib, io
os.environ["WANDB_SILENT"] = "true"
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    wandb.init(project="p").finish()
assert out.getvalue() == err.getvalue() == ""
""",
    ),
    Call(
        ENV,
        "WANDB_CONSOLE=off",
        code="""
del os.environ["WBNB_CONSOLE"]
os.environ["WANDB_CONSOLE"] = "off"
run = wandb.init(project="p"); print("hello"); run.finish()
assert stored(run).console() == []
""",
    ),
    Call(
        ENV,
        "WANDB_BASE_URL / WANDB_API_KEY (a server to log to)",
        code="""
os.environ.update(WANDB_BASE_URL="http://127.0.0.1:9", WANDB_API_KEY="k" * 40)
try:
    wandb.init(project="p")
except wandb.errors.CommError as e:
    assert "127.0.0.1:9" in str(e)
else:
    raise AssertionError("init did not go to WANDB_BASE_URL")
""",
    ),
    Call(
        ENV,
        "WANDB_CONFIG_DIR (wbnb's keys in <it>/wbnb, apart from wandb's files)",
        code="""
del os.environ["WBNB_CONFIG_DIR"]
os.environ["WANDB_CONFIG_DIR"] = str(Path("cfg").resolve())
wandb.login(key="0123456789abcdef0123456789abcdef01234567")
assert (Path("cfg") / "wbnb" / "credentials.json").is_file()
""",
    ),
    # --- Run ------------------------------------------------------------------------
    Call(
        RUN,
        "run.id / name / project / entity / path / notes / tags / group / job_type",
        code="""
run = wandb.init(project="p", id="r1", name="n", notes="x", tags=["a"], group="g", job_type="t")
assert (run.id, run.name, run.project, run.notes, tuple(run.tags), run.group, run.job_type) == (
    "r1", "n", "p", "x", ("a",), "g", "t")
assert run.path == f"{run.entity}/p/r1"
""",
    ),
    Call(
        RUN,
        "run.name = / run.notes = / run.tags = (persisted)",
        code="""
run = wandb.init(project="p"); run.name = "renamed"; run.notes = "n"; run.tags = ("x",); run.finish()
assert (stored(run).name, stored(run).notes, stored(run).tags) == ("renamed", "n", ["x"])
""",
    ),
    Call(
        RUN,
        "run.dir (a folder kept with the run)",
        code="""
run = wandb.init(project="p"); Path(run.dir, "f.txt").write_text("x"); run.finish()
assert Path(run.dir, "f.txt").read_text() == "x"
""",
    ),
    Call(
        RUN,
        "run.url / run.project_url",
        code="""
run = wandb.init(project="p"); run.finish()
assert run.url.startswith("file://") and run.url.startswith(run.project_url)
""",
    ),
    Call(
        RUN,
        "run.sweep_id / run.sweep_url",
        code="""
run = wandb.init(project="p")
assert run.sweep_id is None and run.sweep_url is None
""",
    ),
    Call(
        RUN,
        "run.log(step=) going backwards warns and drops the record",
        code="""
import warnings
run = wandb.init(project="p"); run.log({"a": 1}, step=5)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always"); run.log({"a": 2}, step=3)
run.finish()
assert caught and [r["a"] for r in stored(run).scan_history()] == [1]
""",
    ),
    Call(
        RUN,
        "run.log from several threads",
        code="""
import threading
run = wandb.init(project="p")
threads = [threading.Thread(target=lambda: [run.log({"x": 1}) for _ in range(100)]) for _ in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]; run.finish()
assert len(list(stored(run).scan_history())) == 400
""",
    ),
    Call(
        RUN,
        "run.log nested dicts (flattened to a/b)",
        code="""
run = wandb.init(project="p"); run.log({"train": {"loss": 1.0}}); run.finish()
assert stored(run).summary["train/loss"] == 1.0
""",
    ),
    Call(
        RUN,
        "run.log values: NaN / inf, numpy scalars and 0-d arrays, lists",
        code="""
run = wandb.init(project="p")
run.log({"nan": float("nan"), "inf": float("inf"), "np": np.float32(0.5), "zd": np.array(3), "l": [1, 2]})
run.finish()
s = stored(run).summary
assert s["np"] == 0.5 and s["zd"] == 3 and s["inf"] == float("inf") and s["nan"] != s["nan"]
""",
    ),
    Call(
        RUN,
        "run.log values: torch 0-d tensors (bf16 too)",
        code="""
import torch
run = wandb.init(project="p"); run.log({"t": torch.tensor(0.5, dtype=torch.bfloat16)}); run.finish()
assert stored(run).summary["t"] == 0.5
""",
        needs=("torch",),
    ),
    Call(
        RUN,
        "run.finish(exit_code=, quiet=)",
        code="""
run = wandb.init(project="p"); run.finish(exit_code=2, quiet=True)
assert stored(run).state == "failed"
""",
    ),
    Call(RUN, "run.save(glob, base_path=, policy=)", path="Run.save"),
    Call(
        RUN,
        "run.define_metric(name, step_metric=, summary=, goal=, hidden=)",
        code="""
run = wandb.init(project="p")
run.define_metric("epoch"); run.define_metric("val/*", step_metric="epoch", summary="min")
run.log({"epoch": 0, "val/loss": 2.0}); run.log({"epoch": 1, "val/loss": 1.0}); run.finish()
assert stored(run).summary["val/loss"] in (1.0, {"min": 1.0})
""",
    ),
    Call(
        RUN,
        'run.summary["acc"] == {"max": 0.9} after define_metric("acc", summary="max")',
        code="""
run = wandb.init(project="p"); run.define_metric("acc", summary="max")
run.log({"acc": 0.9}); run.log({"acc": 0.5}); run.finish()
assert stored(run).summary["acc"] == {"max": 0.9}
""",
    ),
    Call(RUN, "run.alert(title, text, level=, wait_duration=)", path="Run.alert"),
    Call(RUN, "run.watch / run.unwatch", path="Run.watch Run.unwatch"),
    Call(RUN, "run.log_code(root, name=, include_fn=, exclude_fn=)", path="Run.log_code"),
    Call(RUN, "run.restore(name)", path="Run.restore"),
    Call(RUN, "run.mark_preempting()", code='wandb.init(project="p", id="r1").mark_preempting()', ignored="preempting"),
    Call(RUN, "run.log_artifact / run.use_artifact", path="Run.log_artifact Run.use_artifact"),
    Call(RUN, "run.link_artifact / run.link_model", path="Run.link_artifact Run.link_model"),
    Call(RUN, "run.log_model / run.use_model", path="Run.log_model Run.use_model"),
    # --- config ---------------------------------------------------------------------
    Call(
        CONFIG,
        "run.config.key / run.config[key] (read and set)",
        code="""
run = wandb.init(project="p", config={"lr": 0.1}); run.config.layers = 2; run.config["act"] = "relu"; run.finish()
assert (run.config.lr, run.config["layers"]) == (0.1, 2) and stored(run).config["act"] == "relu"
""",
    ),
    Call(
        CONFIG,
        "config.update(d, allow_val_change=)",
        code="""
run = wandb.init(project="p", config={"lr": 0.1}); run.config.update({"lr": 0.2}, allow_val_change=True); run.finish()
assert stored(run).config["lr"] == 0.2
""",
    ),
    Call(
        CONFIG,
        "changing a set value raises unless allow_val_change",
        code="""
run = wandb.init(project="p", config={"lr": 0.1}, allow_val_change=False)
try:
    run.config.lr = 0.5
except wandb.errors.UsageError:
    pass
else:
    raise AssertionError("changed without allow_val_change")
""",
    ),
    Call(
        CONFIG,
        "config.setdefaults / as_dict / keys / items / get",
        code="""
run = wandb.init(project="p", config={"lr": 0.1}); run.config.setdefaults({"lr": 1, "b": 2})
assert run.config.as_dict() == {"lr": 0.1, "b": 2} and list(run.config.keys()) == ["lr", "b"]
assert dict(run.config.items())["b"] == 2 and run.config.get("c", 3) == 3
""",
    ),
    # --- summary --------------------------------------------------------------------
    Call(
        SUMMARY,
        "run.summary[key] / run.summary.key / update (explicit values win)",
        code="""
run = wandb.init(project="p"); run.log({"acc": 0.5}); run.summary["acc"] = 0.9; run.summary.update({"f1": 0.7})
run.log({"acc": 0.6}); run.finish()
assert run.summary.f1 == 0.7 and stored(run).summary["acc"] == 0.9
""",
    ),
    Call(
        SUMMARY,
        "the last logged value by default",
        code="""
run = wandb.init(project="p"); run.log({"loss": 2.0}); run.log({"loss": 1.0}); run.finish()
assert stored(run).summary["loss"] == 1.0
""",
    ),
    # --- data types -----------------------------------------------------------------
    Call(
        DATA,
        "wandb.Image(numpy HWC / HW, caption=, mode=, file_type=)",
        code="""
run = wandb.init(project="p")
run.log({"img": wandb.Image(np.zeros((8, 8, 3), dtype=np.uint8), caption="c"), "g": wandb.Image(np.zeros((4, 4)))})
run.finish()
assert stored(run).summary["img"]["caption"] == "c"
""",
    ),
    Call(
        DATA,
        "wandb.Image(PIL image / file path)",
        code="""
from PIL import Image as PIL
PIL.new("RGB", (4, 4)).save("x.png")
run = wandb.init(project="p"); run.log({"a": wandb.Image(PIL.new("L", (4, 4))), "b": wandb.Image("x.png")})
run.finish(); assert "b" in stored(run).summary
""",
        needs=("PIL",),
    ),
    Call(
        DATA,
        "wandb.Image(matplotlib figure)",
        code="""
import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
fig = plt.figure(); plt.plot([1, 2])
run = wandb.init(project="p"); run.log({"fig": wandb.Image(fig)}); run.finish()
assert "fig" in stored(run).summary
""",
        needs=("matplotlib",),
    ),
    Call(
        DATA,
        "wandb.Image(torch CHW tensor)",
        code="""
import torch
run = wandb.init(project="p"); run.log({"t": wandb.Image(torch.zeros(3, 4, 4))}); run.finish()
assert "t" in stored(run).summary
""",
        needs=("torch",),
    ),
    Call(
        DATA,
        "wandb.Image(masks=, boxes=)",
        code="""
img = np.zeros((4, 4, 3), dtype=np.uint8)
masks = {"pred": {"mask_data": np.zeros((4, 4), dtype=np.uint8), "class_labels": {0: "bg"}}}
boxes = {"pred": {"box_data": [{"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.1, "maxY": 0.5}, "class_id": 0}],
                  "class_labels": {0: "cat"}}}
run = wandb.init(project="p"); run.log({"i": wandb.Image(img, masks=masks, boxes=boxes)}); run.finish()
assert "i" in stored(run).summary
""",
    ),
    Call(
        DATA,
        "wandb.Histogram(sequence=, np_histogram=, num_bins=)",
        code="""
run = wandb.init(project="p")
run.log({"h": wandb.Histogram(np.arange(10), num_bins=4), "n": wandb.Histogram(np_histogram=np.histogram([1, 2]))})
run.finish(); assert "n" in stored(run).summary
""",
    ),
    Call(
        DATA,
        "wandb.Table(columns=, data=, dataframe=) and add_data / add_column / get_column / get_dataframe",
        code="""
import pandas as pd
t = wandb.Table(columns=["a"], data=[[1], [2]]); t.add_data(3); t.add_column("b", ["x", "y", "z"])
assert t.get_column("a") == [1, 2, 3] and list(wandb.Table(dataframe=t.get_dataframe()).columns) == ["a", "b"]
run = wandb.init(project="p"); run.log({"t": t}); run.finish()
assert stored(run).summary["t"]["nrows"] == 3
""",
    ),
    Call(
        DATA,
        "Table.iterrows() / get_index() / index_ref()",
        code="""
t = wandb.Table(columns=["a"], data=[[1], [2]])
assert [(i, row) for i, row in t.iterrows()] == [(0, [1]), (1, [2])]
preds = wandb.Table(columns=["row", "p"], data=[[i, 0.5] for i in t.get_index()])
assert t.get_index() == [0, 1] and t.index_ref(1).get_row() == {"a": 2}
run = wandb.init(project="p"); run.log({"preds": preds}); run.finish()
assert stored(run).summary["preds"]["nrows"] == 2
""",
    ),
    Call(
        DATA,
        "wandb.Image(..., masks=, classes=wandb.Classes([...]))",
        code="""
classes = wandb.Classes([{"id": 0, "name": "bg"}, {"id": 1, "name": "cat"}])
mask = {"pred": {"mask_data": np.eye(4, dtype=np.uint8), "class_labels": {0: "bg", 1: "cat"}}}
run = wandb.init(project="p"); run.log({"i": wandb.Image(np.zeros((4, 4, 3)), masks=mask, classes=classes)})
run.finish(); assert stored(run).summary["i"]["classes"][1]["name"] == "cat"
""",
    ),
    Call(
        DATA,
        'wandb.Table(log_mode="IMMUTABLE" | "MUTABLE" | "INCREMENTAL")',
        code="""
t = wandb.Table(columns=["step", "pred"], log_mode="INCREMENTAL")
run = wandb.init(project="p")
for step in range(3):
    t.add_data(step, step * 2); run.log({"t": t})
run.log({"m": wandb.Table(columns=["a"], data=[[1]], log_mode="MUTABLE")}); run.finish()
assert stored(run).summary["t"]["nrows"] == 3
""",
        note="each log stores the table whole: its newest step shows every row so far",
    ),
    Call(
        DATA,
        "Table.add_computed_columns(fn)",
        code="""
t = wandb.Table(columns=["user"], data=[["geoff"], ["ada"]])
t.add_computed_columns(lambda index, row: {"n": len(row["user"])})
assert t.get_column("n") == [5, 3]
""",
    ),
    Call(
        DATA,
        "wandb.Table(allow_mixed_types=)",
        code="""
wandb.Table(columns=["a"], data=[[1], ["x"]], allow_mixed_types=True)
try:
    wandb.Table(columns=["a"], data=[[1], ["x"]])
except TypeError:
    pass
else:
    raise AssertionError("a mixed column was taken")
""",
    ),
    Call(
        DATA,
        "Table cells holding media",
        code="""
t = wandb.Table(columns=["img"], data=[[wandb.Image(np.zeros((2, 2)))]])
run = wandb.init(project="p"); run.log({"t": t}); run.finish()
assert stored(run).summary["t"]["nrows"] == 1
""",
    ),
    Call(
        DATA,
        "wandb.Audio(numpy, sample_rate=, caption=)",
        code="""
run = wandb.init(project="p"); run.log({"a": wandb.Audio(np.zeros(800), sample_rate=8000, caption="c")}); run.finish()
assert "a" in stored(run).summary
""",
    ),
    Call(
        DATA,
        "wandb.Video(numpy TCHW / BTCHW, fps=, format=)",
        code="""
run = wandb.init(project="p"); run.log({"v": wandb.Video(np.zeros((4, 3, 8, 8), dtype=np.uint8), fps=4)}); run.finish()
assert "v" in stored(run).summary
""",
    ),
    Call(
        DATA,
        "wandb.Html(string or file, inject=)",
        code="""
run = wandb.init(project="p"); run.log({"h": wandb.Html("<b>hi</b>")}); run.finish()
assert "h" in stored(run).summary
""",
    ),
    Call(
        DATA,
        "wandb.Plotly(figure), and a plotly figure logged directly",
        code="""
import plotly.graph_objects as go
fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
run = wandb.init(project="p"); run.log({"p": wandb.Plotly(fig), "direct": fig}); run.finish()
assert "direct" in stored(run).summary
""",
        needs=("plotly",),
    ),
    Call(
        DATA,
        "wandb.Object3D(numpy points | .obj / .gltf / .glb file)",
        code="""
run = wandb.init(project="p"); run.log({"o": wandb.Object3D(np.zeros((10, 3)))}); run.finish()
assert "o" in stored(run).summary
""",
    ),
    Call(
        DATA,
        'wandb.Object3D({"type": "lidar/beta", "points", "boxes", "vectors"}) / Object3D.from_point_cloud'
        " / wandb.box3d",
        code="""
corners = [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
box = {"corners": corners, "label": "car", "color": [255, 0, 0]}
scene = {"type": "lidar/beta", "points": np.random.rand(20, 3), "boxes": np.array([box]),
         "vectors": np.array([{"start": [0, 0, 0], "end": [1, 1, 1]}])}
run = wandb.init(project="p")
turned = wandb.box3d(center=(0, 0, 0), size=(1, 2, 3), orientation=(1, 0, 0, 0), color=(1, 0, 0), label="b")
run.log({"o": wandb.Object3D(scene), "f": wandb.Object3D.from_point_cloud(np.zeros((4, 3)), [box, turned])})
run.finish()
assert stored(run).summary["o"]["boxes"][0]["label"] == "car"
""",
        note="its boxes and vectors are drawn as lines over the points",
    ),
    Call(
        DATA,
        'run.log({"chart": plt}) (the pyplot module)',
        code="""
import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
plt.plot([1, 2])
run = wandb.init(project="p"); run.log({"chart": plt}); run.finish()
assert "chart" in stored(run).summary
""",
        needs=("matplotlib",),
    ),
    # --- plot -----------------------------------------------------------------------
    Call(
        PLOT,
        "wandb.plot.confusion_matrix(probs=, y_true=, preds=, class_names=, title=)",
        code="""
run = wandb.init(project="p")
run.log({"cm": wandb.plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1, 0], class_names=["a", "b"])})
run.finish(); assert stored(run).summary["cm"]["matrix"] == [[1, 0], [1, 1]]
""",
    ),
    Call(
        PLOT,
        "wandb.plot.roc_curve(y_true, y_probas, labels=) / pr_curve(...)",
        code="""
y, p = [0, 1, 1, 0], [[0.8, 0.2], [0.3, 0.7], [0.4, 0.6], [0.6, 0.4]]
run = wandb.init(project="p"); run.log({"roc": wandb.plot.roc_curve(y, p), "pr": wandb.plot.pr_curve(y, p)})
run.finish(); assert stored(run).summary["roc"]["curves"]
""",
    ),
    Call(
        PLOT,
        "wandb.plot.line / scatter / bar / histogram (table, ...)",
        code="""
t = wandb.Table(columns=["x", "y", "k"], data=[[1, 2, "a"], [2, 3, "b"]])
charts = {"l": wandb.plot.line(t, "x", "y", title="t"), "s": wandb.plot.scatter(t, "x", "y"),
          "b": wandb.plot.bar(t, "k", "y"), "h": wandb.plot.histogram(t, "y")}
run = wandb.init(project="p"); run.log(charts); run.finish()
assert stored(run).summary["l"]["fields"]["x"] == "x"
""",
    ),
    Call(
        PLOT,
        "wandb.plot.line_series(xs, ys, keys=, title=, xname=)",
        code="""
run = wandb.init(project="p"); run.log({"ls": wandb.plot.line_series([1, 2], [[1, 2], [2, 1]], keys=["a", "b"])})
run.finish(); assert stored(run).summary["ls"]["keys"] == ["a", "b"]
""",
    ),
    Call(
        PLOT,
        "wandb.plot_table(vega_spec_name, data_table, fields, string_fields=)",
        code="""
t = wandb.Table(columns=["x", "y"], data=[[1, 2]])
run = wandb.init(project="p"); run.log({"c": wandb.plot_table("team/spec", t, {"a": "x"}, {"title": "T"})})
run.finish(); assert stored(run).summary["c"]["spec_name"] == "team/spec"
""",
    ),
    Call(
        PLOT,
        "wandb.plot_table(..., split_table=True)",
        code='wandb.plot_table("wandb/line/v0", wandb.Table(columns=["x", "y"]), {"x": "x", "y": "y"}, None, True)',
        ignored="split_table",
    ),
    Call(
        PLOT,
        "wandb.plot.line / scatter / bar / histogram / line_series / roc_curve / pr_curve / confusion_matrix"
        "(..., split_table=True)",
        code='wandb.plot.scatter(wandb.Table(columns=["x", "y"]), "x", "y", "t", True)',
        ignored="split_table",
    ),
    Call(
        PLOT,
        "wandb.plot.pr_curve(..., interp_size=21)",
        code="wandb.plot.pr_curve([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.4, 0.6]], None, None, 21, 'PR')",
        note="taken; each curve keeps its own points (thinned past 500)",
    ),
    # --- artifacts ------------------------------------------------------------------
    Call(ART, "wandb.Artifact(name, type, description=, metadata=) + add_file / log_artifact(aliases=)", code=ARTIFACT),
    Call(
        ART,
        "artifact.add_dir / new_file / add_reference / add / remove / get_entry / get",
        code="""
Path("d").mkdir(); Path("d/x.txt").write_text("x")
art = wandb.Artifact("a", type="dataset")
art.add_dir("d", name="dir")
with art.new_file("note.txt") as f:
    f.write("n")
art.add_reference("file://" + str(Path("d/x.txt").resolve()), name="ref.txt")
art.add(wandb.Table(columns=["a"], data=[[1]]), "table")
art.remove("note.txt")
assert art.get_entry("dir/x.txt") is not None
""",
    ),
    Call(
        ART,
        'run.use_artifact("name:latest" | "name:v0" | "name:alias") + download(root=)',
        setup=ARTIFACT,
        code="""
run = wandb.init(project="p")
for ref in ("dataset:latest", "dataset:v0", "dataset:best"):
    art = run.use_artifact(ref)
root = art.download(root="dl")
assert (Path(root) / "a.txt").read_text() == "a"
""",
    ),
    Call(
        ART,
        "artifact.download() default root ./artifacts/<name>:vN",
        setup=ARTIFACT,
        code="""
run = wandb.init(project="p"); root = run.use_artifact("dataset:latest").download()
assert Path(root).resolve() == Path("artifacts/dataset:v0").resolve()
""",
    ),
    Call(
        ART,
        "artifact.checkout / verify / file / files / wait / delete / save",
        setup=ARTIFACT,
        code="""
art = wandb.init(project="p").use_artifact("dataset:latest")
art.verify(root=art.download()); assert [f.name for f in art.files()] == ["a.txt"]
art.metadata["rows"] = 2; art.save()
""",
    ),
    Call(
        ART,
        "artifact.name / version / aliases / metadata / digest / size / type / qualified_name",
        setup=ARTIFACT,
        code="""
art = wandb.init(project="p").use_artifact("dataset:best")
assert (art.version, art.type, art.metadata["rows"]) == ("v0", "dataset", 1) and "best" in art.aliases
assert art.digest and art.size == 1 and art.qualified_name.endswith("dataset:v0")
""",
    ),
    Call(
        ART,
        "identical content makes no new version; latest moves",
        setup=ARTIFACT,
        code="""
run = wandb.init(project="p")
same = wandb.Artifact("dataset", type="dataset"); same.add_file("data/a.txt"); run.log_artifact(same)
Path("data/a.txt").write_text("b")
new = wandb.Artifact("dataset", type="dataset"); new.add_file("data/a.txt"); run.log_artifact(new); run.finish()
assert wandb.Api().artifact("p/dataset:latest").version == "v1"
""",
    ),
    Call(
        ART,
        "Api().artifact(path) / Api().artifacts(type, name)",
        setup=ARTIFACT,
        code="""
api = wandb.Api()
entity = api.artifact("p/dataset:v0").entity
art = api.artifact(f"{entity}/p/dataset:best", type="dataset")
assert art.version == "v0" and [a.version for a in api.artifacts("dataset", "p/dataset")] == ["v0"]
""",
    ),
    Call(
        ART,
        "lineage: artifact.logged_by() / used_by(), Run.logged_artifacts() / used_artifacts()",
        setup=ARTIFACT,
        code="""
run = wandb.init(project="p", id="consumer"); run.use_artifact("dataset:latest"); run.finish()
art = wandb.Api().artifact("p/dataset:v0")
assert art.logged_by().id == "producer" and [r.id for r in art.used_by()] == ["consumer"]
api_run = wandb.Api().run("p/consumer")
assert [a.name for a in api_run.used_artifacts()] == ["dataset:v0"] and list(api_run.logged_artifacts()) == []
""",
    ),
    Call(
        ART,
        'run.link_artifact(art, "[<org>/]wandb-registry-<registry>/<name>", aliases=)',
        setup=ARTIFACT,
        code="""
run = wandb.init(project="p"); art = run.use_artifact("dataset:latest")
run.link_artifact(art, "my-org/wandb-registry-dataset/golden", aliases=["prod"]); run.finish()
linked = wandb.Api().artifact("wandb-registry-dataset/golden:prod")
assert linked.is_link and linked.source_name == "dataset:v0"
""",
    ),
    Call(
        ART,
        'run.link_model(path, registered_model_name, aliases=) + use_artifact("model-registry/<name>:alias")',
        code="""
Path("model.pt").write_bytes(b"w")
run = wandb.init(project="p"); run.link_model(path="model.pt", registered_model_name="clf", aliases=["staging"])
assert Path(run.use_model("model-registry/clf:staging")).read_bytes() == b"w"
""",
    ),
    Call(
        ART,
        "except ValueError (use_artifact) / except wandb.errors.CommError (Api().artifact) for a missing artifact",
        code="""
run = wandb.init(project="p")
try:
    run.use_artifact("nope:latest"); raise AssertionError("found")
except ValueError:
    pass
try:
    wandb.Api().artifact("p/nope:latest"); raise AssertionError("found")
except wandb.errors.CommError:
    pass
""",
    ),
    Call(
        ART,
        'Api().artifact(path).aliases.append("prod") / metadata.update(...) + save()',
        setup=ARTIFACT,
        code="""
art = wandb.Api().artifact("p/dataset:v0"); art.aliases.append("prod"); art.metadata.update({"rows": 2}); art.save()
again = wandb.Api().artifact("p/dataset:prod")
assert again.version == "v0" and again.metadata["rows"] == 2
""",
    ),
    Call(
        ART,
        "for f in artifact.files(): f.download(root=, replace=True)",
        setup=ARTIFACT,
        code="""
art = wandb.Api().artifact("p/dataset:latest")
for f in art.files():
    with f.download(root="raw", replace=True) as fh:
        assert (f.name, fh.read()) == ("a.txt", "a")
""",
    ),
    Call(
        ART,
        'artifact.add(wandb.Table(...), "t") + artifact.get("t").get_dataframe()',
        code="""
run = wandb.init(project="p"); art = wandb.Artifact("tab", type="dataset")
art.add(wandb.Table(columns=["a"], data=[[1], [2]]), "t"); run.log_artifact(art); run.finish()
assert wandb.Api().artifact("p/tab:latest").get("t").get_dataframe()["a"].tolist() == [1, 2]
""",
    ),
    Call(
        ART,
        "Api().artifact_collection(type, name).artifacts() / aliases / name / type",
        setup=ARTIFACT,
        code="""
c = wandb.Api().artifact_collection("dataset", "p/dataset")
assert (c.name, c.type, [a.version for a in c.artifacts()]) == ("dataset", "dataset", ["v0"]) and "best" in c.aliases
""",
    ),
    Call(
        ART,
        "Api().artifact_collection(type, name).description = ... / name = ... / save() / delete()",
        setup=ARTIFACT,
        code="""
api = wandb.Api(); c = api.artifact_collection("dataset", "p/dataset"); c.description = "golden"; c.save()
assert api.artifact_collection("dataset", "p/dataset").description == "golden"
c.name = "rows"; c.save(); assert [a.version for a in api.artifact_collection("dataset", "p/rows").versions()] == ["v0"]
c.delete(); assert not api.artifact_collection_exists("p/rows", "dataset") and not api.artifact_exists("p/rows:best")
""",
        note="delete() is refused while a registry links to one of its versions",
    ),
    Call(
        ART,
        'Api().artifact_collection(type, name).tags = ["golden"] / save()',
        setup=ARTIFACT,
        code="""
c = wandb.Api().artifact_collection("dataset", "p/dataset"); c.tags = ["golden"]; c.save()
""",
        ignored="tags",
    ),
    Call(
        ART,
        "run.upsert_artifact(art, distributed_id=) / run.finish_artifact(art, distributed_id=)",
        path="Run.upsert_artifact Run.finish_artifact",
        note="one version from several runs: not yet",
    ),
    Call(
        ART,
        'run.config.update({"data": artifact}) (kept as a reference, and an input edge)',
        setup=ARTIFACT,
        code="""
run = wandb.init(project="p", id="c"); run.config.update({"data": run.use_artifact("dataset:latest")}); run.finish()
assert stored(run).config["data"]["_type"] == "artifactVersion"
""",
        note="kept as the artifact's text today",
    ),
    Call(
        ART,
        "artifact.ttl = timedelta(days=30)",
        code="""
import datetime
art = wandb.Artifact("a", type="dataset"); art.ttl = datetime.timedelta(days=30)
""",
        ignored="ttl",
    ),
    Call(
        ART,
        'artifact.tags = ["golden"] / log_artifact(art, tags=)',
        setup=ARTIFACT,
        code="""
art = wandb.Api().artifact("p/dataset:latest"); art.tags = ["golden"]; art.save()
""",
        ignored="tags",
    ),
    # --- sweeps ---------------------------------------------------------------------
    Call(
        SWEEPS,
        "wandb.sweep(config, project=) / wandb.agent(sweep_id, function=, count=)",
        setup=SWEEP,
        code="""
sweep_id = wandb.sweep(config, project="p")
wandb.agent(sweep_id, function=train, count=2)
assert sorted(r.config["lr"] for r in wandb.Api().runs("p")) == [0.01, 0.1]
""",
    ),
    Call(
        SWEEPS,
        "method: random / bayes, distributions, nested parameters",
        setup=SWEEP,
        code="""
config["method"] = "random"
config["parameters"]["lr"] = {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1}
sweep_id = wandb.sweep(config, project="p"); wandb.agent(sweep_id, function=train, count=3)
assert len(wandb.Api().runs("p")) == 3
""",
    ),
    Call(SWEEPS, "early_terminate: hyperband", path="sweeps"),
    Call(
        SWEEPS,
        "Api().sweep(path) .runs / .best_run() / .config / .state",
        setup=SWEEP,
        code="""
sweep_id = wandb.sweep(config, project="p"); wandb.agent(f"p/{sweep_id}", function=train, count=2)
sweep = wandb.Api().sweep(f"p/{sweep_id}")
assert sweep.config == config and sweep.state == "FINISHED" and sweep.expected_run_count == 2
assert sorted(r.config["lr"] for r in sweep.runs) == [0.01, 0.1] and sweep.best_run().config["lr"] == 0.01
""",
    ),
    # --- Api ------------------------------------------------------------------------
    Call(
        API,
        'Api().runs("entity/project" | "project", filters=, order=)',
        setup=LOGGED,
        code="""
wandb.init(project="p", id="r2", config={"lr": 0.01}).finish()
runs = wandb.Api().runs("p", filters={"config.lr": {"$lt": 0.05}}, order="-summary_metrics.acc")
assert [r.id for r in runs] == ["r2"]
""",
    ),
    Call(
        API,
        "Api().runs() default order: oldest first",
        setup=LOGGED,
        code="""
wandb.init(project="p", id="r2").finish()
assert [r.id for r in wandb.Api().runs("p")] == ["r1", "r2"]
""",
    ),
    Call(
        API,
        'filters on "created_at" (and "createdAt")',
        setup=LOGGED,
        code="""
assert len(wandb.Api().runs("p", filters={"created_at": {"$gt": "2000-01-01"}})) == 1
""",
    ),
    Call(API, "Api().run(path)", setup=LOGGED, code='assert wandb.Api().run("p/r1").name == "first"'),
    Call(
        API,
        "Api().projects() (objects with .name) / Api().project(name)",
        setup=LOGGED,
        code="""
assert [p.name for p in wandb.Api().projects()] == ["p"] and wandb.Api().project("p").name == "p"
""",
    ),
    # --- public run -----------------------------------------------------------------
    Call(
        PUBLIC,
        "run.history(keys=, samples=, x_axis=, pandas=True)",
        setup=LOGGED,
        code="""
df = api_run.history(keys=["loss"], samples=5)
assert list(df.columns) == ["_step", "loss"] and len(df) == 5
""",
    ),
    Call(
        PUBLIC, "run.history(pandas=False)", setup=LOGGED, code='assert api_run.history(pandas=False)[0]["loss"] == 1.0'
    ),
    Call(
        PUBLIC, 'run.history(stream="events") (system metrics)', setup=LOGGED, code='api_run.history(stream="events")'
    ),
    Call(
        PUBLIC,
        "run.scan_history(keys=, min_step=, max_step=, page_size=)",
        setup=LOGGED,
        code="""
rows = list(api_run.scan_history(keys=["acc"], min_step=2, max_step=5, page_size=2))
assert [r["acc"] for r in rows] == [0.2, 0.3, 0.4]
""",
    ),
    Call(
        PUBLIC,
        "run.config / summary / state / name / id / tags",
        setup=LOGGED,
        code="""
assert (api_run.config["lr"], api_run.summary["loss"], api_run.state, api_run.name, api_run.id, api_run.tags) == (
    0.1, 0.1, "finished", "first", "r1", ["a"])
""",
    ),
    Call(PUBLIC, "run.summary._json_dict", setup=LOGGED, code='assert api_run.summary._json_dict["loss"] == 0.1'),
    Call(
        PUBLIC,
        "run.files() / run.file(name).download(root=, replace=)",
        setup=LOGGED,
        code="""
assert "model.txt" in [f.name for f in api_run.files()]
api_run.file("model.txt").download(root="dl", replace=True)
assert Path("dl/model.txt").read_text() == "weights"
""",
    ),
    Call(
        PUBLIC,
        "run.update() persists summary / config / tags / name / notes / group",
        setup=LOGGED,
        code="""
api_run.summary["best"] = 1; api_run.config["lr"] = 0.5; api_run.tags.append("b"); api_run.name = "x"
api_run.update()
again = wandb.Api().run("p/r1")
assert (again.summary["best"], again.config["lr"], again.tags, again.name) == (1, 0.5, ["a", "b"], "x")
""",
    ),
    Call(
        PUBLIC,
        "run.delete()",
        setup=LOGGED,
        code="""
api_run.delete()
assert [r.id for r in wandb.Api().runs("p")] == []
""",
    ),
    # --- CLI ------------------------------------------------------------------------
    Call(
        CLI,
        "wbnb projects / runs / show",
        setup=LOGGED,
        code="""
assert "p" in cli("projects") and "r1" in cli("runs", "p") and "first" in cli("show", "p/r1")
""",
    ),
    Call(CLI, "wbnb sync", code='cli("sync", "--help")'),
    Call(CLI, "wbnb login", code='cli("login", "--help")'),
    Call(CLI, "wbnb offline / online / disabled", code='cli("offline", "--help")'),
    Call(
        CLI,
        "wbnb sweep sweep.yaml / wbnb agent SWEEP_ID",
        code="""
Path("train.py").write_text("import wbnb\\nrun = wbnb.init()\\nrun.log({'loss': run.config.lr})\\n")
Path("sweep.yaml").write_text("program: train.py\\nmethod: grid\\nparameters:\\n  lr:\\n    values: [0.1, 0.01]\\n")
agent = cli("sweep", "sweep.yaml", "--project", "p").split("Run sweep agent with: wbnb ")[1].split()
cli(*agent, "--count", "2")
assert sorted(r.config["lr"] for r in wandb.Api().runs("p")) == [0.01, 0.1]
""",
    ),
    Call(
        CLI,
        "wbnb sweep --pause / --resume / --stop / --cancel SWEEP_ID",
        setup=SWEEP,
        code="""
sweep_id = wandb.sweep(config, project="p")
for flag, state in (("--pause", "PAUSED"), ("--resume", "RUNNING"), ("--cancel", "CANCELED")):
    cli("sweep", flag, f"p/{sweep_id}")
    assert wandb.Api().sweep(f"p/{sweep_id}").state == state
""",
    ),
    Call(
        CLI,
        "wbnb artifact get / put / ls",
        code="""
os.makedirs("w"); Path("w/m.bin").write_bytes(b"weights")
assert "p/m:v0" in cli("artifact", "put", "w", "--name", "p/m", "--type", "model", "--alias", "best")
assert "p/m" in cli("artifact", "ls") and "best" in cli("artifact", "ls", "p/m")
cli("artifact", "get", "p/m:best", "--root", "got")
assert Path("got/m.bin").read_bytes() == b"weights"
""",
    ),
    Call(CLI, "wbnb restore / pull", code='cli("pull", "--help")'),
    # --- integrations ---------------------------------------------------------------
    Call(
        INTEG,
        "wbnb.keras: WandbCallback / WandbMetricsLogger / WandbModelCheckpoint / WandbEvalCallback",
        path="keras.WandbCallback keras.WandbMetricsLogger keras.WandbModelCheckpoint keras.WandbEvalCallback",
    ),
    Call(
        INTEG,
        "wbnb.integration.keras (the same callbacks)",
        path="integration.keras.WandbMetricsLogger integration.keras.WandbModelCheckpoint",
    ),
    Call(
        INTEG,
        "wbnb.sklearn.plot_classifier / plot_regressor / plot_clusterer",
        path="sklearn.plot_classifier sklearn.plot_regressor sklearn.plot_clusterer",
        code="""
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
X, y = make_classification(n_samples=80, random_state=0)
m = LogisticRegression().fit(X, y)
run = wandb.init(project="p")
wandb.sklearn.plot_classifier(m, X, X, y, y, m.predict(X), m.predict_proba(X), ["a", "b"])
run.finish()
logged = set(stored(run).history().columns)
assert {"roc", "precision_recall", "confusion_matrix", "class_proportions", "summary_metrics"} <= logged
""",
        needs=("sklearn",),
    ),
    Call(
        INTEG,
        "wbnb.sklearn.plot_class_proportions / plot_learning_curve / plot_roc / plot_precision_recall / "
        "plot_confusion_matrix / plot_feature_importances / plot_summary_metrics / plot_calibration_curve / "
        "plot_elbow_curve / plot_silhouette / plot_outlier_candidates / plot_residuals",
        path=" ".join(
            f"sklearn.plot_{name}"
            for name in (
                "class_proportions learning_curve roc precision_recall confusion_matrix feature_importances "
                "summary_metrics calibration_curve elbow_curve silhouette outlier_candidates residuals"
            ).split()
        ),
    ),
    Call(
        INTEG,
        "wbnb.integration.lightning.WandbLogger (also WbnbLogger)",
        path="integration.lightning.WandbLogger integration.lightning.WbnbLogger",
    ),
    Call(
        INTEG,
        "wbnb.integration.transformers.WandbCallback (also WbnbCallback)",
        path="integration.transformers.WandbCallback integration.transformers.WbnbCallback",
    ),
]
