"""Test problems with known minima, each a symbolic :class:`~symopt.Objective`."""

from symopt.problems.reference import (
    LECTURE_HESSIANS,
    Problem,
    all_problems,
    beale,
    double_well,
    himmelblau,
    lecture_quadratic,
    rastrigin,
    rosenbrock,
    rosenbrock_chain,
    saddle,
)

__all__ = [
    "LECTURE_HESSIANS",
    "Problem",
    "all_problems",
    "beale",
    "double_well",
    "himmelblau",
    "lecture_quadratic",
    "rastrigin",
    "rosenbrock",
    "rosenbrock_chain",
    "saddle",
]
