"""Quadratic forms in 2-D: positive definite matrices and saddles.

The lecture's q(h) = ½ hᵀHh for six matrices.  H = I, diag(4, 1) and [[2, −1], [−1, 1]]
are positive definite (every eigenvalue > 0): q is a bowl with elliptic level sets whose
axes are the eigenvectors, longer along the smaller eigenvalue (their ratio, the
condition number, is 1, 4 and (7 + 3√5)/2 ≈ 6.85).  diag(1, −1), diag(−1, 1) and
diag(−4, 1) are indefinite: q rises along one eigenvector and falls along the other, a
saddle.  The definiteness is decided exactly (all principal minors, through Descartes'
rule on the characteristic polynomial), and cross-checked against NumPy's eigenvalues.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

import symopt
from symopt.plot import plot_quadratic_form

MATRICES = {
    "I": [[1, 0], [0, 1]],
    "diag(4, 1)": [[4, 0], [0, 1]],
    "[[2, -1], [-1, 1]]": [[2, -1], [-1, 1]],
    "diag(1, -1)": [[1, 0], [0, -1]],
    "diag(-1, 1)": [[-1, 0], [0, 1]],
    "diag(-4, 1)": [[-4, 0], [0, 1]],
}


def run(out: Path) -> dict:
    import matplotlib.pyplot as plt

    out = Path(out)
    print(__doc__.splitlines()[0])
    print(f"\n{'H':<20} {'definiteness':<20} {'eigenvalues':<28} {'condition':>10}  kind")
    result: dict[str, Any] = {"definiteness": {}, "eigenvalues": {}, "condition": {}}
    overview, axes = plt.subplots(2, 3, figsize=(14, 9.4), layout="constrained")
    for k, (name, H) in enumerate(MATRICES.items()):
        q = symopt.quadratic(H)
        eig = [float(sp.N(v)) for v in q.eigenvalues]
        numpy_eig = np.linalg.eigvalsh(np.array(H, dtype=float))
        assert np.allclose(eig, numpy_eig), (eig, numpy_eig)
        kappa = q.condition_number
        eig_text = ", ".join(sp.sstr(v) for v in q.eigenvalues)
        print(f"{name:<20} {q.definiteness:<20} {eig_text:<28} {float(kappa):>10.4g}  {q.kind}")
        result["definiteness"][name] = q.definiteness
        result["eigenvalues"][name] = eig
        result["condition"][name] = float(kappa)
        fig = plot_quadratic_form(H)  # titled "H = <the name above>: …"
        fig.savefig(out / f"05_quadratic_{k + 1}.png")
        plt.close(fig)
        plot_quadratic_form(H, ax=axes.flat[k], title=f"H = {name}\n{q.definiteness}")
    overview.suptitle(
        "q(h) = ½ hᵀHh: level sets, eigen-axes and the stationary point (star: global "
        "minimum, X: saddle)"
    )
    overview.savefig(out / "05_quadratic_overview.png")
    plt.close(overview)

    q = symopt.quadratic(MATRICES["[[2, -1], [-1, 1]]"], scale=1)
    print(f"\nscale convention: with scale = 1, f = {q.expr} and ∇f = {list(q.gradient)} = 2Hx")
    result["files"] = sorted(str(p) for p in out.glob("05_*.png"))
    return result


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
