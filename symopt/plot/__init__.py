"""matplotlib figures and animations, one module per kind of picture.

matplotlib itself is imported inside the plotting functions, so importing this package
is cheap; public names are loaded on first access.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> submodule of symopt.plot that defines it
_NAMES: dict[str, str] = {
    "animate_trajectories": "paths",
    "LECTURE_STYLE": "style",
    "lecture_style": "style",
    "mark_point": "points",
    "plot_critical_points": "points",
    "plot_escape_times": "stochastic",
    "plot_generalization": "stochastic",
    "plot_minibatch_losses": "stochastic",
    "plot_noise_ball": "stochastic",
    "plot_optimization_loop": "loop",
    "plot_path_pca": "landscape",
    "plot_quadratic_form": "points",
    "plot_rate_map": "rates",
    "plot_sharpness": "spectra",
    "plot_slice_1d": "landscape",
    "plot_slice_2d": "landscape",
    "plot_spectra": "explain",
    "plot_spectral_density": "spectra",
    "plot_spectral_radius": "rates",
    "plot_stability": "explain",
    "plot_sweep": "paths",
    "plot_taylor": "points",
    "plot_trajectories": "paths",
    "plot_trajectory_grid": "paths",
    "plot_value_panels": "explain",
    "plot_values": "paths",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module 'symopt.plot' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES})
