"""wandb tutorial code run as it is written, under ``import wbnb as wandb``: a dataset
versioned then used by a training run, and a checkpoint per epoch with aliases, the
best linked into the registry."""

from __future__ import annotations

import json
from pathlib import Path

import wbnb as wandb


def test_dataset_versioning_then_training(work: Path) -> None:
    # The textbook chapter: a preprocessing run logs the dataset, a training run uses it.
    Path("data").mkdir()
    Path("data/train.csv").write_text("x,y\n1,2\n")
    Path("data/test.csv").write_text("x,y\n3,4\n")
    with wandb.init(project="mnist", job_type="upload") as run:
        raw = wandb.Artifact("mnist-raw", type="dataset", description="raw MNIST", metadata={"source": "csv"})
        raw.add_dir("data")
        run.log_artifact(raw)

    Path("data/train.csv").write_text("x,y\n1,2\n5,6\n")
    with wandb.init(project="mnist", job_type="upload") as run:
        raw = wandb.Artifact("mnist-raw", type="dataset")
        raw.add_dir("data")
        run.log_artifact(raw)
        assert raw.version == "v1"

    with wandb.init(project="mnist", job_type="train") as run:
        artifact = run.use_artifact("mnist-raw:latest")
        data_dir = artifact.download()
        assert (Path(data_dir) / "train.csv").read_text().count("\n") == 3
        previous = run.use_artifact("mnist-raw:v0", type="dataset")
        assert (Path(previous.download()) / "train.csv").read_text().count("\n") == 2
        train_id = run.id

    api = wandb.Api()
    used = [a.name for a in api.run(f"mnist/{train_id}").used_artifacts()]
    assert used == ["mnist-raw:v1", "mnist-raw:v0"]
    assert [r.id for r in api.artifact("mnist/mnist-raw:v1").used_by()] == [train_id]


def test_checkpoint_per_epoch_best_linked_to_registry(work: Path) -> None:
    # The sprite classifier: a checkpoint each epoch, "best" follows the best loss,
    # the best is linked into the model registry.
    losses = [0.9, 0.5, 0.7]
    best = float("inf")
    with wandb.init(project="sprites", config={"epochs": 3}) as run:
        for epoch, loss in enumerate(losses):
            wandb.log({"loss": loss})
            Path("ckpt.json").write_text(json.dumps({"epoch": epoch}))
            art = wandb.Artifact(f"{run.id}-model", type="model", metadata={"epoch": epoch, "loss": loss})
            art.add_file("ckpt.json")
            aliases = ["latest", "best"] if loss < best else ["latest"]
            best = min(best, loss)
            run.log_artifact(art, aliases=aliases)
        best_model = run.use_artifact(f"{run.id}-model:best")
        run.link_artifact(best_model, "wandb-registry-model/sprites", aliases=["staging"])
        name = f"{run.id}-model"

    api = wandb.Api()
    versions = api.artifacts("model", f"sprites/{name}")
    assert [v.metadata["epoch"] for v in versions] == [0, 1, 2]
    assert api.artifact(f"sprites/{name}:best").metadata["epoch"] == 1
    assert api.artifact(f"sprites/{name}:latest").metadata["epoch"] == 2
    staged = api.artifact("wandb-registry-model/sprites:staging")
    assert json.loads(Path(staged.file()).read_text()) == {"epoch": 1}
