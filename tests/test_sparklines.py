import html
import math

from wbnb.sdk.sparklines import format_value, render_summary_html, render_summary_text, sparkline


def test_sparkline_maps_range_onto_all_bars():
    assert sparkline(range(8)) == "▁▂▃▄▅▆▇█"
    assert sparkline([3, 2, 1, 0]) == "█▆▃▁"


def test_sparkline_constant_nan_inf_and_empty():
    assert sparkline([2.5] * 5) == "▄▄▄▄▄"
    assert sparkline([0, math.nan, 1, math.inf, -math.inf]) == "▁ █  "
    assert sparkline([math.nan]) == " "
    assert sparkline([]) == ""


def test_sparkline_resamples_by_bucket_mean():
    assert len(sparkline(range(1000), width=20)) == 20
    # Two buckets of [0, 0, 10, 10] and [0, 0, 0, 0]: means 5 and 0.
    assert sparkline([0, 0, 10, 10, 0, 0, 0, 0], width=2) == "█▁"
    # A bucket with no finite value is a gap.
    assert sparkline([math.nan, math.nan, 1, 3], width=2) == " ▄"


def test_format_value():
    assert format_value(3) == "3"
    assert format_value(123456789) == "123456789"
    assert format_value(0.123456) == "0.1235"
    assert format_value(1234567.0) == "1.235e+06"
    assert format_value(True) == "True"
    assert format_value(float("nan")) == "nan"
    assert format_value("short") == "short"
    long = format_value("x" * 100)
    assert len(long) == 40 and long.endswith("…")


def test_format_value_numpy_scalars():
    import numpy as np

    assert format_value(np.float32(0.5)) == "0.5"
    assert format_value(np.int64(7)) == "7"


def test_render_summary_text_is_aligned_and_sorted():
    text = render_summary_text({"loss": [3, 2, 1], "acc": [0, 1]}, {"loss": 0.25, "epoch": 3}, "Run demo")
    assert text.splitlines() == [
        "Run demo",
        "Run history:",
        "  acc    ▁█",
        "  loss   █▅▁",
        "Run summary:",
        "  epoch  3",
        "  loss   0.25",
    ]
    assert "\x1b" not in text


def test_render_summary_text_skips_empty_sections():
    assert render_summary_text({}, {"a": 1}, "") == "Run summary:\n  a  1"


def test_render_summary_html_escapes_every_user_string():
    evil = "<img src=x onerror=alert(1)>"
    page = render_summary_html({evil: [1, 2]}, {evil: evil, "ok": 1}, evil)
    assert "<img" not in page
    assert page.count(html.escape(evil)) == 4  # title, history key, summary key, summary value
    assert "▁█" in page and "<table" in page


def test_media_summary_values_say_what_they_are() -> None:
    from wbnb.sdk.sparklines import format_value

    image = {"_type": "image", "path": "media/aa/" + "a" * 64 + ".png"}
    assert format_value(image) == "image"
    assert format_value([image] * 16) == "16 images"
    assert format_value({"_type": "confusion_matrix", "matrix": [[1]]}) == "confusion matrix"
    assert format_value([1, image]).startswith("[1, {")  # mixed lists stay plain text
