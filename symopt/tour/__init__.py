"""The lecture tour: the worked examples, run in lecture order into one page.

``symopt tour`` (:func:`run_tour`) runs every ``examples/NN_*.py`` and writes
``index.html``; each script also runs alone through :func:`script_main`.
"""

from symopt.plot.style import LECTURE_STYLE, lecture_style
from symopt.tour.runner import (
    Stop,
    example_paths,
    examples_folder,
    load_example,
    run_example,
    run_tour,
    script_main,
    write_index,
)

__all__ = [
    "LECTURE_STYLE",
    "Stop",
    "example_paths",
    "examples_folder",
    "lecture_style",
    "load_example",
    "run_example",
    "run_tour",
    "script_main",
    "write_index",
]
