"""The report as a reader sees it: tables, captions, legends and axes."""

from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from skmer.cli import _report_sections as sections  # noqa: E402
from skmer.cli._report import HTMLReport, format_pvalue  # noqa: E402
from skmer.evaluation import (  # noqa: E402
    ClassificationReportDisplay,
    GroupAccuracyDisplay,
    PerClassAccuracyDisplay,
    PredictedCountsDisplay,
    TrainingHistoryDisplay,
)

LABELS = np.array(["ANG", "HAP", "SAD"])


def _predictions(n=228, seed=0):
    rng = np.random.default_rng(seed)
    y_true = LABELS[np.arange(n) % 3]
    y_pred = np.where(rng.random(n) < 0.8, y_true, LABELS[rng.integers(0, 3, n)])
    return y_true, y_pred


def _comparison(y_true):
    """What compare_modalities returns, with made-up numbers."""
    models = ["face", "audio", "fusion"]
    summary = pd.DataFrame(
        {
            "model": models,
            "accuracy_mean": [0.81, 0.78, 0.9],
            "accuracy_std": [0.04, 0.05, 0.03],
            "f1_macro_mean": [0.8, 0.77, 0.9],
            "f1_macro_std": [0.05, 0.05, 0.03],
        }
    )
    tests = pd.DataFrame(
        {
            "model_a": ["fusion", "fusion"],
            "model_b": ["face", "audio"],
            "test": ["corrected_ttest", "mcnemar"],
            "metric": ["accuracy", "accuracy"],
            "difference": [0.09, 0.12],
            "statistic": [2.5, 14.2],
            "pvalue": [0.03219, 2.797e-06],
        }
    )
    scores = pd.DataFrame(
        {"model": models, "fold": [0, 0, 0], "accuracy": [0.81, 0.78, 0.9]}
    )
    human = pd.DataFrame(
        {
            "model": ["face", "audio", "fusion"],
            "human_votes": ["face_vote", "voice_vote", "multimodal_vote"],
            "n_samples": [228, 228, 228],
            "model_accuracy": [0.81, 0.78, 0.9],
            "human_accuracy": [0.62, 0.41, 0.65],
            "pvalue": [1.5e-05, 0.2, 3.1e-09],
        }
    )
    predictions = pd.DataFrame({"y_true": y_true})
    return SimpleNamespace(
        summary=summary,
        tests=tests,
        scores=scores,
        human=human,
        predictions=predictions,
    )


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    """A report of 228 clips of 76 actors, with a comparison and curves."""
    y_true, y_pred = _predictions()
    frame = pd.DataFrame(
        {
            "actor": [str(1001 + k % 76) for k in range(len(y_true))],
            "intensity": np.array(["LO", "MD", "HI", "XX"])[np.arange(len(y_true)) % 4],
        }
    )
    report = HTMLReport("layout")
    sections.add_comparison(report, _comparison(y_true))
    sections.add_predictions(report, y_true, y_pred)
    sections.add_groups(report, y_true, y_pred, frame)
    # A classifier trained for a fixed number of epochs: no validation curve.
    fitted = SimpleNamespace(
        history_={"loss": [1.1, 0.9, 0.7], "accuracy": [0.4, 0.6, 0.7]},
        modalities="audio",
    )
    sections.add_model(report, fitted, None, y_true)
    folder = tmp_path_factory.mktemp("report")
    return report.write(folder)


def _tables(browser):
    return browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('table')).map(t => ({"
        "headers: Array.from(t.querySelectorAll('thead th')).map(h => h.innerText),"
        "rows: t.querySelectorAll('tbody tr').length,"
        "text: t.innerText}));"
    )


def test_report_tables_are_short_and_have_no_bare_index(report_page, browser):
    browser.open(report_page)
    tables = _tables(browser)
    assert tables
    for table in tables:
        assert table["rows"] <= 30, table["text"][:200]
        # A meaningless 0, 1, 2, ... index shows as an empty first header.
        assert table["headers"][0].strip(), table["headers"]
    groups = next(t for t in tables if "variable" in t["headers"])
    assert "actor" in groups["text"] and "intensity" in groups["text"]
    assert "only those with the lowest accuracy are listed: actor (10 of 76)" in (
        browser.text()
    )


def test_report_numbers_have_one_format(report_page, browser):
    browser.open(report_page)
    for table in _tables(browser):
        assert "e-0" not in table["text"] and "e+0" not in table["text"]
    text = browser.text()
    assert "<0.001" in text and "0.032" in text
    assert "0.03219" not in text


def test_report_captions_say_what_is_drawn(report_page, browser):
    browser.open(report_page)
    text = browser.text()
    assert "(3 epochs) on the training clips (no validation split" in text
    assert "validation split, held out" not in text
    # The raters' choice against the model's: 6 emotions against 3 classes.
    assert "The raters chose among CREMA-D's 6 emotions, the models among the 3 " in (
        text
    )


def test_report_images_are_not_shrunk_past_reading(report_page, browser):
    browser.driver.set_window_size(1280, 1000)  # a laptop's browser window
    browser.open(report_page)
    sizes = browser.driver.execute_script(
        "return Array.from(document.images).map(img => "
        "[img.getAttribute('src'), img.naturalWidth, img.clientWidth]);"
    )
    by_name = {src: (natural, shown) for src, natural, shown in sizes}
    natural, shown = by_name["model-groups.png"]
    # 76 actors: the figure stays narrow enough that the page shows it at
    # (nearly) full size, so its 9 pt legend stays readable.
    assert natural <= 1300 and shown >= 0.75 * natural


def _bar_extents(ax, renderer):
    return [
        patch.get_window_extent(renderer)
        for patch in ax.patches
        if isinstance(patch, Rectangle) and patch.get_height() > 0
    ]


@pytest.mark.parametrize(
    "make",
    [
        lambda y, p: PredictedCountsDisplay.from_predictions(y, p).ax_,
        lambda y, p: (
            PerClassAccuracyDisplay.from_predictions(
                y, p, y_proba=np.full((len(y), 3), 1 / 3)
            ).ax_
        ),
        lambda y, p: GroupAccuracyDisplay.from_predictions(
            y,
            p,
            {"actor": np.array([str(k % 76) for k in range(len(y))])},
            detected=np.ones((len(y), 1, 4)),
        ).ax_[0],
    ],
    ids=["predicted-counts", "per-class", "groups"],
)
def test_legends_hide_no_bar_and_are_readable(make):
    y_true, y_pred = _predictions()
    ax = make(y_true, y_pred)
    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    legend = ax.get_legend()
    box = legend.get_window_extent(renderer)
    for bar in _bar_extents(ax, renderer):
        assert not box.overlaps(bar)
    assert min(text.get_fontsize() for text in legend.get_texts()) >= 9
    plt.close(figure)


def test_epoch_axes_tick_at_whole_epochs():
    display = TrainingHistoryDisplay.from_history(
        {"loss": [1.0, 0.8, 0.7], "accuracy": [0.5, 0.6, 0.7]}
    )
    display.figure_.canvas.draw()
    for axis in display.ax_:
        low, high = axis.get_xlim()
        ticks = [t for t in axis.get_xticks() if low <= t <= high]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
    plt.close(display.figure_)


def test_classification_report_labels_are_whole():
    y_true, y_pred = _predictions(n=12)
    display = ClassificationReportDisplay.from_predictions(y_true, y_pred)
    figure = display.figure_
    # As sphinx-gallery and savefig without bbox_inches='tight' see it.
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    inside = figure.bbox
    labels = display.ax_.get_yticklabels()
    assert "macro avg (12)" in [label.get_text() for label in labels]
    for label in labels:
        extent = label.get_window_extent(renderer)
        assert extent.x0 >= inside.x0 - 1 and extent.x1 <= inside.x1 + 1
    plt.close(figure)


def test_pvalues_are_written_one_way():
    assert format_pvalue(2.797e-06) == "<0.001"
    assert format_pvalue(0.03219) == "0.032"
    assert format_pvalue(float("nan")) == "n/a"
