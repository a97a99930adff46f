"""A report directory: ``index.html`` with figures and tables, ``metrics.json``."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import html
import io
import json
import math
import os
import re
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from skmer.utils._files import write_bytes, write_text

_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em;
  border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th { background: #f3f3f3; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption, .note { color: #555; font-size: 0.9em; }
nav li { display: inline; margin-right: 1em; }
"""


class HTMLReport:
    """Collect figures, tables and metrics, then write them to a directory.

    Parameters
    ----------
    title : str
        Heading of the page.

    Attributes
    ----------
    metrics : dict
        What goes to ``metrics.json``; values are converted to plain JSON
        (NumPy numbers, arrays and DataFrames included) on writing.
    """

    def __init__(self, title):
        self.title = title
        self.metrics = {}
        self._sections = []
        self._images = {}

    def add_section(self, heading, text=None):
        """Start a section with a heading and an optional paragraph."""
        self._sections.append(("section", heading, text))

    def add_text(self, text):
        """Add a paragraph (plain text, escaped)."""
        self._sections.append(("text", text, None))

    def add_table(self, frame, *, caption=None, formatters=None):
        """Add a DataFrame as an HTML table.

        Floats show 3 decimals; ``formatters`` maps column names to
        functions for the columns that need another format (p-values, see
        :func:`format_pvalue`). A default integer index is not shown; any
        other index becomes the first column, under its name.
        """
        if not isinstance(frame.index, pd.RangeIndex):
            frame = frame.reset_index()
        table = frame.to_html(
            float_format="{:.3f}".format,
            formatters=formatters,
            index=False,
            border=0,
            na_rep="",
            escape=True,
        )
        self._sections.append(("table", table, caption))

    def add_figure(self, figure, *, name, caption=None):
        """Add a matplotlib figure as a PNG file, then close the figure."""
        import matplotlib.pyplot as plt

        stem = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "figure"
        file_name = f"{stem}.png"
        k = 2
        while file_name in self._images:
            file_name = f"{stem}-{k}.png"
            k += 1
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        plt.close(figure)
        self._images[file_name] = buffer.getvalue()
        self._sections.append(("figure", file_name, caption))

    def write(self, directory):
        """Write ``index.html``, the figures and ``metrics.json``.

        Parameters
        ----------
        directory : str or path-like
            Created when missing; files of an earlier report there are
            replaced.

        Returns
        -------
        index : str
            Path of ``index.html``.

        Raises
        ------
        OSError
            When a file cannot be written (a full disk, no permission), naming
            it. Each file is written to a temporary file beside it and renamed
            into place, so every file of an earlier report is either kept as
            it was or wholly replaced, never truncated.
        """
        os.makedirs(directory, exist_ok=True)
        metrics = {
            "title": self.title,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            **self.metrics,
        }
        # Rendered before anything is written, so a value that cannot be
        # written (NaN) leaves the earlier report whole.
        metrics_text = json.dumps(_jsonable(metrics), indent=2, allow_nan=False)
        page = self._html(metrics["created"])
        for file_name, data in self._images.items():
            write_bytes(os.path.join(directory, file_name), data)
        write_text(os.path.join(directory, "metrics.json"), metrics_text)
        # The page last: it links the figures and metrics.json written above.
        index = os.path.join(directory, "index.html")
        write_text(index, page)
        return index

    def _html(self, created):
        headings = [item[1] for item in self._sections if item[0] == "section"]
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(self.title)}</title>",
            f"<style>{_STYLE}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1>",
            f'<p class="note">Written by skmer on {created}; the numbers are '
            'also in <a href="metrics.json">metrics.json</a>.</p>',
        ]
        if len(headings) > 1:
            links = "".join(
                f'<li><a href="#s{k}">{html.escape(h)}</a></li>'
                for k, h in enumerate(headings)
            )
            parts.append(f"<nav><ul>{links}</ul></nav>")
        k = 0
        for kind, content, extra in self._sections:
            if kind == "section":
                parts.append(f'<h2 id="s{k}">{html.escape(content)}</h2>')
                k += 1
                if extra:
                    parts.append(f"<p>{html.escape(extra)}</p>")
            elif kind == "text":
                parts.append(f"<p>{html.escape(content)}</p>")
            elif kind == "table":
                parts.append(content)
                if extra:
                    parts.append(f'<p class="note">{html.escape(extra)}</p>')
            else:
                alt = html.escape(extra or content)
                caption = ""
                if extra:
                    caption = f"<figcaption>{html.escape(extra)}</figcaption>"
                parts.append(
                    f'<figure><img src="{content}" alt="{alt}">{caption}</figure>'
                )
        parts.append("</body></html>")
        return "\n".join(parts)


def format_pvalue(p):
    """Write a p-value as a report shows it: ``<0.001`` or 3 decimals."""
    if p != p:  # NaN: the test was undefined
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _jsonable(value):
    """Plain JSON types from NumPy, pandas and nested containers."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, pd.DataFrame):
        # A default RangeIndex carries nothing: only a named index is a column.
        unnamed = all(name is None for name in value.index.names)
        value = value.reset_index(drop=unnamed)
        return _jsonable(value.to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return _jsonable(value.to_dict())
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
