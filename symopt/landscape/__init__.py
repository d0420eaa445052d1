"""Loss landscapes: filter-normalised slices, PCA of paths, and the small MLP they study.

:mod:`~symopt.landscape.slices` has the directions, 1-D/2-D slices and path planes;
:mod:`~symopt.landscape.mlp` a NumPy multilayer perceptron with hand-written backprop.
"""

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

__all__ = [
    "PCADirections",
    "PathPlane",
    "Roughness",
    "path_plane",
    "pca_directions",
    "project",
    "random_direction",
    "roughness",
    "slice_1d",
    "slice_2d",
]
