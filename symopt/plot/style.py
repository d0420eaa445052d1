"""The lecture-hall style: the matplotlib settings every worked example draws in."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["LECTURE_STYLE", "lecture_style"]

#: matplotlib settings for figures meant to be projected in a lecture hall
LECTURE_STYLE = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 11,
    "figure.titlesize": 15,
    "figure.dpi": 90,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
}


@contextlib.contextmanager
def lecture_style() -> Iterator[None]:
    """Headless matplotlib with :data:`LECTURE_STYLE`; closes every figure on exit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        with plt.rc_context(LECTURE_STYLE):
            yield
    finally:
        plt.close("all")
