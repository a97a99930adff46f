"""The report directory: index.html with figures and tables, metrics.json."""

import json

import numpy as np
import pandas as pd
import pytest

from skmer.cli._report import HTMLReport


def _report():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    report = HTMLReport("Test <report>")
    report.add_section("Scores", "Accuracy per fold & model.")
    scores = pd.DataFrame({"model": ["face", "audio"], "accuracy": [0.5, 0.75]})
    report.add_table(scores)
    for name in ["Curve", "Curve"]:
        figure, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        report.add_figure(figure, name=name, caption="A falling line.")
    report.metrics["accuracy"] = np.float32(0.75)
    report.metrics["folds"] = pd.DataFrame({"fold": [0, 1], "score": [np.nan, 1.0]})
    report.metrics["by_class"] = pd.DataFrame(
        {"recall": [0.5, 1.0]}, index=pd.Index(["ANG", "SAD"], name="emotion")
    )
    return report


def test_report_writes_page_figures_and_metrics(tmp_path):
    index = _report().write(tmp_path / "out")
    files = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert files == ["curve-2.png", "curve.png", "index.html", "metrics.json"]
    page = (tmp_path / "out" / "index.html").read_text()
    assert "<title>Test &lt;report&gt;</title>" in page
    assert "Accuracy per fold &amp; model." in page
    assert page.count("<img ") == 2
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["accuracy"] == pytest.approx(0.75)
    # A default index is left out, a named one becomes a column.
    assert metrics["folds"] == [
        {"fold": 0, "score": None},
        {"fold": 1, "score": 1.0},
    ]
    assert metrics["by_class"] == [
        {"emotion": "ANG", "recall": 0.5},
        {"emotion": "SAD", "recall": 1.0},
    ]
    assert index == str(tmp_path / "out" / "index.html")


def test_report_renders_in_a_browser(tmp_path, browser):
    index = _report().write(tmp_path / "out")
    assert browser.open(index) == "Test <report>"
    images = browser.images()
    assert [src for src, _ in images] == ["curve.png", "curve-2.png"]
    assert all(loaded for _, loaded in images)
    assert "accuracy" in browser.text()


def test_browser_check_sees_a_missing_image(tmp_path, browser):
    index = _report().write(tmp_path / "out")
    (tmp_path / "out" / "curve-2.png").unlink()
    browser.open(index)
    assert dict(browser.images()) == {"curve.png": True, "curve-2.png": False}
