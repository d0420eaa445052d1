"""The lecture tour: every worked example in lecture order, collected in one page."""

from symopt.tour.runner import (
    EXAMPLES,
    example_paths,
    lecture_style,
    load_example,
    run_example,
    run_tour,
    script_main,
)

__all__ = [
    "EXAMPLES",
    "example_paths",
    "lecture_style",
    "load_example",
    "run_example",
    "run_tour",
    "script_main",
]
