"""Loss landscapes: filter-normalised slices, PCA of paths, Hessian spectra, and the small
MLP they study.

:mod:`~symopt.landscape.slices` has the directions, 1-D/2-D slices and path planes;
:mod:`~symopt.landscape.mlp` a NumPy multilayer perceptron with hand-written backprop (and
its R-operator); :mod:`~symopt.landscape.hvp` Hessian-vector products for every loss;
:mod:`~symopt.landscape.spectra` extreme eigenvalues (Lanczos), the eigenvalue density and
the trace; :mod:`~symopt.landscape.tracker` the sharpness along a run.
"""

from symopt.landscape.hvp import HessianOperator, hvp, operator
from symopt.landscape.slices import (
    PathPlane,
    PCADirections,
    Roughness,
    path_plane,
    pca_directions,
    project,
    random_direction,
    roughness,
    slice_1d,
    slice_2d,
)
from symopt.landscape.spectra import (
    Density,
    Spectrum,
    TraceEstimate,
    hessian_spectrum,
    hessian_trace,
    spectral_density,
)
from symopt.landscape.tracker import SharpnessTracker

__all__ = [
    "Density",
    "HessianOperator",
    "PCADirections",
    "PathPlane",
    "Roughness",
    "SharpnessTracker",
    "Spectrum",
    "TraceEstimate",
    "hessian_spectrum",
    "hessian_trace",
    "hvp",
    "operator",
    "path_plane",
    "pca_directions",
    "project",
    "random_direction",
    "roughness",
    "slice_1d",
    "slice_2d",
    "spectral_density",
]
