"""Image and the PNG encoder: pixels round-trip through a real MediaStore and Pillow."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import timeit
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from wbnb.data import Image, base
from wbnb.data.image import is_matplotlib_figure
from wbnb.data.png import encode_png, png_size
from wbnb.store.media import MediaStore


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The value types' say-once warnings as in a fresh process."""
    monkeypatch.setattr(base, "_said", set())


def decode(data: bytes) -> np.ndarray:
    return np.asarray(PILImage.open(io.BytesIO(data)))


def stored_pixels(store: MediaStore, record: dict) -> np.ndarray:
    return decode(store.get(record["path"]))


def media_files(store: MediaStore) -> list[Path]:
    return [p for p in (store.root / "media").rglob("*") if p.is_file()]


# --- encode_png / png_size -------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7, 5), (7, 5, 3), (7, 5, 4), (1, 1), (64, 64, 3)])
def test_encode_png_round_trips_through_pillow(shape: tuple[int, ...]) -> None:
    array = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    data = encode_png(array)
    np.testing.assert_array_equal(decode(data), array)
    assert png_size(data) == (shape[1], shape[0])


def test_encode_png_rejects_non_uint8_and_bad_shapes() -> None:
    with pytest.raises(ValueError, match=r"uint8.*float64"):
        encode_png(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"\(H, W, 3\).*\(2, 2, 2\)"):
        encode_png(np.zeros((2, 2, 2), dtype=np.uint8))


def test_png_size_is_none_for_other_bytes() -> None:
    assert png_size(b"GIF89a" + bytes(30)) is None
    assert png_size(b"") is None


def test_encode_png_is_fast() -> None:
    # The target is well under 0.3 ms; the bound here only catches gross regressions on slow CI.
    array = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    best = min(timeit.repeat(lambda: encode_png(array), number=50, repeat=5)) / 50
    assert best < 2e-3


# --- arrays ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(6, 9), (6, 9, 3), (6, 9, 4)])
def test_uint8_arrays_are_stored_as_given(store: MediaStore, shape: tuple[int, ...]) -> None:
    array = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    record = Image(array, caption="a cat").to_json(store)
    assert record == {
        "_type": "image",
        "path": record["path"],
        "format": "png",
        "width": 9,
        "height": 6,
        "caption": "a cat",
    }
    assert record["path"].endswith(".png")
    np.testing.assert_array_equal(stored_pixels(store, record), array)


def test_single_channel_is_stored_as_grey(store: MediaStore) -> None:
    array = np.arange(12, dtype=np.uint8).reshape(3, 4, 1)
    pixels = stored_pixels(store, Image(array).to_json(store))
    np.testing.assert_array_equal(pixels, array[..., 0])


def test_floats_in_unit_range_are_scaled_and_nan_is_black(store: MediaStore) -> None:
    array = np.array([[0.0, 0.5, 1.0], [0.2, np.inf, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # read as given: nothing to say
        pixels = stored_pixels(store, Image(array).to_json(store))
    np.testing.assert_array_equal(pixels, [[0, 128, 255], [51, 255, 0]])


def test_floats_above_one_are_read_as_0_to_255_and_said_once(store: MediaStore, fresh_warnings: None) -> None:
    array = np.array([[0.0, 100.0, 255.0], [254.6, 300.0, np.nan]], dtype=np.float32)
    with pytest.warns(RuntimeWarning, match=r"above 1 are read as 0\.\.255") as said:
        pixels = stored_pixels(store, Image(array).to_json(store))
        Image(array * 0.5)
    np.testing.assert_array_equal(pixels, [[0, 100, 255], [255, 255, 0]])  # not white: wandb reads them so
    assert len(said) == 1


def test_negative_floats_are_rescaled_from_min_max_and_said_once(store: MediaStore, fresh_warnings: None) -> None:
    array = np.array([[-1.0, 0.0, 1.0]])
    with pytest.warns(RuntimeWarning, match=r"below 0 are rescaled") as said:
        pixels = stored_pixels(store, Image(array).to_json(store))
        Image(array * 2)
    np.testing.assert_array_equal(pixels, [[0, 128, 255]])
    assert len(said) == 1


def test_uint16_is_scaled_from_its_full_range(store: MediaStore) -> None:
    array = np.array([[0, 257, 32896, 65535], [128, 129, 1000, 65280]], dtype=np.uint16)
    pixels = stored_pixels(store, Image(array).to_json(store))
    np.testing.assert_array_equal(pixels, [[0, 1, 128, 255], [0, 1, 4, 254]])  # not clipped to white


def test_integers_are_clipped_and_bools_are_black_or_white(store: MediaStore) -> None:
    ints = np.array([[-5, 0, 100, 300]], dtype=np.int16)
    np.testing.assert_array_equal(stored_pixels(store, Image(ints).to_json(store)), [[0, 0, 100, 255]])
    bools = np.array([[True, False]])
    np.testing.assert_array_equal(stored_pixels(store, Image(bools).to_json(store)), [[255, 0]])


def test_bfloat16_and_float16_tensors_are_images(store: MediaStore) -> None:
    torch = pytest.importorskip("torch")
    values = torch.tensor([[[0.0, 0.5], [1.0, 0.25]]] * 3)
    for dtype in (torch.bfloat16, torch.float16):
        pixels = stored_pixels(store, Image(values.to(dtype)).to_json(store))
        np.testing.assert_array_equal(pixels[..., 0], [[0, 128], [255, 64]])


def test_channels_first_arrays_are_transposed(store: MediaStore) -> None:
    hwc = np.random.default_rng(2).integers(0, 256, (8, 10, 3), dtype=np.uint8)
    record = Image(hwc.transpose(2, 0, 1)).to_json(store)
    assert (record["width"], record["height"]) == (10, 8)
    np.testing.assert_array_equal(stored_pixels(store, record), hwc)


def test_torch_tensors_are_read_as_channels_first(store: MediaStore) -> None:
    torch = pytest.importorskip("torch")
    hwc = np.random.default_rng(3).random((5, 6, 3)).astype(np.float32)
    record = Image(torch.from_numpy(hwc.transpose(2, 0, 1).copy())).to_json(store)
    expected = np.rint(hwc.astype(np.float64) * 255).astype(np.uint8)
    np.testing.assert_array_equal(stored_pixels(store, record), expected)


def test_the_array_is_copied(store: MediaStore) -> None:
    array = np.full((4, 4, 3), 7, dtype=np.uint8)
    image = Image(array)
    array[:] = 200
    np.testing.assert_array_equal(stored_pixels(store, image.to_json(store)), np.full((4, 4, 3), 7))


def test_the_same_image_logged_twice_is_stored_once(store: MediaStore) -> None:
    array = np.random.default_rng(4).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    first = Image(array).to_json(store)
    second = Image(array.copy()).to_json(store)
    assert first["path"] == second["path"]
    assert len(media_files(store)) == 1


@pytest.mark.parametrize(
    "array, received",
    [
        (np.zeros(5), r"shape \(5,\)"),
        (np.zeros((1, 2, 3, 4, 5)), r"shape \(1, 2, 3, 4, 5\)"),
        (np.zeros((5, 5, 2)), r"shape \(5, 5, 2\)"),
        (np.zeros((4, 4), dtype=complex), "dtype complex128"),
        (np.array([[object(), object()]]), "dtype object"),
        (np.zeros((0, 3)), r"shape \(0, 3\)"),
    ],
)
def test_impossible_arrays_say_what_they_got_and_what_is_accepted(array: np.ndarray, received: str) -> None:
    with pytest.raises(ValueError, match=received) as info:
        Image(array)
    assert "accepted: a bool, integer or float array shaped (H, W), (H, W, C) or (C, H, W) with C in 1, 3 or 4" in str(
        info.value
    )


def test_mode_must_match_the_array_channels() -> None:
    with pytest.raises(ValueError, match=r"mode 'RGB' for an array with 1 channel.*needs 3"):
        Image(np.zeros((2, 2)), mode="RGB")
    with pytest.raises(ValueError, match=r"mode 'CMYK'.*accepted modes: \['L', 'RGB', 'RGBA'\]"):
        Image(np.zeros((2, 2)), mode="CMYK")


def test_records_are_plain_json(store: MediaStore) -> None:
    record = Image(np.zeros((3, 3)), grouping=np.int64(2), caption="c").to_json(store)
    assert json.loads(json.dumps(record)) == record
    assert type(record["width"]) is int and type(record["grouping"]) is int


# --- PIL images, figures, files --------------------------------------------------------------


def test_pil_images_keep_their_pixels(store: MediaStore) -> None:
    array = np.random.default_rng(5).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    record = Image(PILImage.fromarray(array)).to_json(store)
    np.testing.assert_array_equal(stored_pixels(store, record), array)


def test_pil_images_in_other_modes_are_converted(store: MediaStore) -> None:
    rgb = np.random.default_rng(6).integers(0, 256, (4, 4, 3), dtype=np.uint8)
    pil = PILImage.fromarray(rgb)
    grey = stored_pixels(store, Image(pil, mode="L").to_json(store))
    np.testing.assert_array_equal(grey, np.asarray(pil.convert("L")))
    palette = pil.convert("P")
    np.testing.assert_array_equal(
        stored_pixels(store, Image(palette).to_json(store)), np.asarray(palette.convert("RGB"))
    )


def test_matplotlib_figures_are_rendered_to_png(store: MediaStore) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    ax.plot([0, 1], [1, 0])
    assert is_matplotlib_figure(fig) and is_matplotlib_figure(plt)
    record = Image(fig).to_json(store)
    plt.close(fig)
    assert (record["format"], record["width"], record["height"]) == ("png", 100, 75)
    assert stored_pixels(store, record).shape[:2] == (75, 100)


def test_is_matplotlib_figure_needs_matplotlib() -> None:
    class Lookalike:
        def savefig(self, *args: object) -> None: ...

    assert not is_matplotlib_figure(Lookalike())
    assert not is_matplotlib_figure(np.zeros((2, 2)))


def test_png_files_keep_their_bytes(store: MediaStore, tmp_path: Path) -> None:
    path = tmp_path / "pic.png"
    PILImage.fromarray(np.zeros((3, 5, 3), dtype=np.uint8)).save(path)
    record = Image(path).to_json(store)
    assert store.get(record["path"]) == path.read_bytes()
    assert (record["format"], record["width"], record["height"]) == ("png", 5, 3)


def test_jpeg_and_svg_files_keep_their_bytes_and_extension(store: MediaStore, tmp_path: Path) -> None:
    jpg = tmp_path / "photo.JPG"
    PILImage.fromarray(np.zeros((4, 6, 3), dtype=np.uint8)).save(jpg, format="JPEG")
    record = Image(str(jpg)).to_json(store)
    assert record["path"].endswith(".jpg") and store.get(record["path"]) == jpg.read_bytes()
    assert (record["format"], record["width"], record["height"]) == ("jpg", 6, 4)

    svg = tmp_path / "drawing.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    record = Image(svg).to_json(store)
    assert (record["format"], record["width"]) == ("svg", None)
    assert store.get(record["path"]) == svg.read_bytes()


def test_bad_paths_say_what_they_got_and_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing\.png.*not an existing file"):
        Image(tmp_path / "missing.png")
    with pytest.raises(ValueError, match=r"notes\.txt.*extension 'txt'.*accepted file types: \['png', 'jpg'"):
        Image(str(tmp_path / "notes.txt"))
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"not a png at all")
    with pytest.raises(ValueError, match=r"fake\.png.*not a PNG file"):
        Image(fake)


def test_file_type_jpg_encodes_with_pillow(store: MediaStore) -> None:
    array = np.full((8, 8, 4), 120, dtype=np.uint8)
    record = Image(array, file_type="jpg").to_json(store)
    assert record["format"] == "jpg" and record["path"].endswith(".jpg")
    assert np.abs(stored_pixels(store, record).astype(int) - 120).max() <= 2
    with pytest.raises(ValueError, match=r"file_type 'tiff'.*accepted: \['png', 'jpg'"):
        Image(array, file_type="tiff")


def test_pillow_stays_optional(tmp_path: Path) -> None:
    jpg = tmp_path / "photo.jpg"
    PILImage.fromarray(np.zeros((4, 6, 3), dtype=np.uint8)).save(jpg)
    script = f"""
import sys
import numpy as np
from wbnb.data import Image, base
from wbnb.store.media import MediaStore
store = MediaStore({str(tmp_path / "store")!r})
Image(np.zeros((4, 4, 3))).to_json(store)
assert "PIL" not in sys.modules, "Pillow was imported for an array"
sys.modules["PIL"] = None  # now make Pillow unimportable
record = Image({str(jpg)!r}).to_json(store)
assert record["width"] is None and record["format"] == "jpg", record
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # import wbnb as this process does
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr


# --- masks and boxes -----------------------------------------------------------------------


def test_masks_are_stored_as_grey_pngs(store: MediaStore) -> None:
    mask = np.random.default_rng(7).integers(0, 3, (6, 8))
    record = Image(
        np.zeros((6, 8, 3)),
        masks={"pred": {"mask_data": mask, "class_labels": {0: "bg", np.int64(1): "cat", 2: "dog"}}},
    ).to_json(store)
    stored = record["masks"]["pred"]
    assert stored["class_labels"] == {"0": "bg", "1": "cat", "2": "dog"}
    np.testing.assert_array_equal(decode(store.get(stored["path"])), mask)


def test_bad_masks_say_what_they_got(store: MediaStore) -> None:
    image = np.zeros((6, 8))
    with pytest.raises(ValueError, match=r"shape \(5, 8\) but the image is \(H, W\) = \(6, 8\)"):
        Image(image, masks={"m": {"mask_data": np.zeros((5, 8), dtype=int)}})
    with pytest.raises(ValueError, match=r"shape \(6, 8\) and dtype float64; accepted: a 2-D integer or bool array"):
        Image(image, masks={"m": {"mask_data": np.zeros((6, 8))}})
    too_big = np.zeros((6, 8), dtype=int)
    too_big[0, 0] = 300
    with pytest.raises(ValueError, match=r"values 0\.\.300; class ids must be 0\.\.255"):
        Image(image, masks={"m": {"mask_data": too_big}})
    with pytest.raises(ValueError, match=r"masks\['m'\] must be a dict with a 'mask_data' array"):
        Image(image, masks={"m": np.zeros((6, 8))})


def test_boxes_are_kept_as_json(store: MediaStore) -> None:
    boxes = {
        "pred": {
            "box_data": [
                {
                    "position": {"minX": np.float32(0.1), "maxX": 0.5, "minY": 0.2, "maxY": 0.6},
                    "class_id": 1,
                    "scores": {"p": 0.9},
                },
                {"position": {"middle": [4, 5], "width": 2, "height": 3}, "class_id": 0, "domain": "pixel"},
            ],
            "class_labels": {0: "bg", 1: "cat"},
        }
    }
    record = Image(np.zeros((10, 10)), boxes=boxes).to_json(store)
    assert json.loads(json.dumps(record)) == record
    first, second = record["boxes"]["pred"]["box_data"]
    assert first["position"]["minX"] == pytest.approx(0.1) and type(first["position"]["minX"]) is float
    assert second["position"] == {"middle": [4, 5], "width": 2, "height": 3}
    assert record["boxes"]["pred"]["class_labels"] == {"0": "bg", "1": "cat"}


def test_boxes_without_a_position_say_what_is_accepted() -> None:
    with pytest.raises(
        ValueError,
        match=r"\[0\] has position \{'minX': 1\}; accepted: a dict with minX, maxX, minY, maxY or with middle",
    ):
        Image(np.zeros((4, 4)), boxes={"pred": {"box_data": [{"position": {"minX": 1}}]}})
