"""The dependency rule of docs/architecture.md, read from the code's own imports.

Every ``import`` in ``symopt/`` is read with :mod:`ast`, including the ones inside
functions, and resolved to the room it lands in.  A room may import only the rooms the
table below allows; the few deliberate upward doors are listed by name (module, the
function that holds the import, the room it reaches); and the module graph without those
doors has no cycle.  pint is imported only in ``units/``, matplotlib only in ``plot/`` and
only inside functions, SymPy nowhere in ``numeric/`` but its two doors.

The checker is a function of source text, so it can be shown failing:

>>> upward = {"symopt.optim.fake": "from symopt.numeric.run import minimize"}
>>> [v.why for v in violations(upward)]
['symopt.optim.fake imports symopt.numeric.run: optim may import only _typing, errors']
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symopt"

BASE = {"errors", "_typing"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_typing": set(),
    "symbolic": BASE,
    "optim": BASE,
    "numeric": BASE | {"symbolic", "optim"},
    "critical": BASE | {"symbolic", "numeric"},
    "theory": BASE | {"symbolic", "numeric", "optim"},
    "stochastic": BASE | {"symbolic", "numeric", "optim"},
    "units": BASE | {"symbolic", "numeric", "optim"},
    "problems": BASE | {"symbolic", "numeric", "optim", "stochastic"},
    "landscape": BASE | {"symbolic", "numeric", "optim", "stochastic"},
    "api": BASE | {"numeric", "stochastic", "units", "optim"},
}
# plot may import everything below it; the top rooms import everything.
BELOW_PLOT = set(ALLOWED) - {"api"}
ALLOWED["plot"] = BELOW_PLOT
TOP = {"interactive", "explain", "compare", "tour", "cli", "__init__"}
for _room in TOP:
    ALLOWED[_room] = set(ALLOWED) | TOP

# The deliberate upward doors, by name: (module, function holding the import, room reached).
CONVENIENCES = {
    ("symopt.symbolic.objective", "Objective.__init__", "units"),  # Objective(units=...)
    ("symopt.symbolic.objective", "Objective.critical_points", "critical"),
    ("symopt.symbolic.objective", "Objective.compile", "numeric"),
    ("symopt.numeric.results", "Trajectory.plot", "plot"),
    ("symopt.numeric.results", "Sweep.plot", "plot"),
    ("symopt.theory.measure", "RateMap.plot", "plot"),
}
# numeric's doors to SymPy: only these modules of numeric may import sympy or symbolic.
SYMPY_DOORS = {"symopt.numeric.lambdify", "symopt.numeric.compile"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "symopt.numeric.run"
    target: str  # the imported module, e.g. "symopt.optim" or "numpy"
    function: str | None  # qualified name of the enclosing function, None at module level


@dataclass(frozen=True)
class Violation:
    why: str


def room(module: str) -> str:
    """``symopt.numeric.run`` -> ``numeric``; ``symopt`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str, source: str, is_package: bool = False) -> list[Import]:
    """Every import in ``source`` (the text of ``module``), with its enclosing function."""
    found: list[Import] = []

    def visit(node: ast.AST, scope: list[str], in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = in_function or not isinstance(child, ast.ClassDef)
                visit(child, [*scope, child.name], inner)
                continue
            if _type_checking_only(child):
                continue
            where = ".".join(scope) if in_function else None
            if isinstance(child, ast.Import):
                found.extend(Import(module, a.name, where) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, is_package, child)
                # ``from symopt import units`` imports the module symopt.units
                submodules = [f"{target}.{a.name}" for a in child.names]
                submodules = [m for m in submodules if _is_module(m) or target == "symopt"]
                found.extend(Import(module, t, where) for t in submodules or [target])
            visit(child, scope, in_function)

    visit(ast.parse(source), [], False)
    return found


def _type_checking_only(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` blocks hold imports that never run."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return getattr(test, "id", None) == "TYPE_CHECKING" or getattr(test, "attr", None) == (
        "TYPE_CHECKING"
    )


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def package_sources() -> dict[str, str]:
    sources = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        sources[name] = path.read_text(encoding="utf-8")
    return sources


def _is_package(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()


def violations(sources: dict[str, str]) -> list[Violation]:
    """Every import in ``sources`` (module name -> text) that breaks the rule."""
    found = []
    edges: dict[str, set[str]] = {m: set() for m in sources}
    for module, text in sources.items():
        for imp in imports(module, text, _is_package(module)):
            found += _check(imp)
            # a module's own packages are imported by Python anyway: no edge
            own_package = module.startswith(imp.target + ".")
            if imp.target.startswith("symopt") and not (_is_convenience(imp) or own_package):
                edges[module].add(imp.target)
    found += [Violation(f"import cycle: {' -> '.join(c)}") for c in _cycles(edges)]
    return found


def _is_convenience(imp: Import) -> bool:
    return (imp.module, imp.function, room(imp.target)) in CONVENIENCES


def _check(imp: Import) -> list[Violation]:
    here, top = room(imp.module), imp.target.split(".")[0]
    if top == "pint" and here != "units":
        return [Violation(f"{imp.module} imports pint: only symopt.units may")]
    if top == "matplotlib" and (here != "plot" or imp.function is None):
        return [
            Violation(
                f"{imp.module} imports matplotlib {_where(imp)}: only symopt.plot "
                "may, inside functions"
            )
        ]
    if (
        here == "numeric"
        and imp.module not in SYMPY_DOORS
        and (top == "sympy" or imp.target.startswith("symopt.symbolic"))
    ):
        return [
            Violation(
                f"{imp.module} imports {imp.target}: in numeric only "
                f"{', '.join(sorted(SYMPY_DOORS))} see SymPy"
            )
        ]
    if top != "symopt" or imp.target == "symopt":
        return []
    there = room(imp.target)
    if there == here or there in ALLOWED.get(here, set()) or _is_convenience(imp):
        return []
    allowed = ", ".join(sorted(ALLOWED.get(here, set()))) or "nothing"
    return [Violation(f"{imp.module} imports {imp.target}: {here} may import only {allowed}")]


def _where(imp: Import) -> str:
    return "at module level" if imp.function is None else f"in {imp.function}"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module."""
    nodes = set(edges) | set(itertools.chain.from_iterable(edges.values()))
    graph = {n: {t for t in edges.get(n, ()) if t in nodes and t != n} for n in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def strong(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return components


def test_every_import_runs_one_way():
    found = violations(package_sources())
    assert not found, "\n".join(v.why for v in found)


def test_every_listed_convenience_still_exists():
    # a door that is no longer used must leave the list, so the list stays the truth
    used = {
        (i.module, i.function, room(i.target))
        for module, text in package_sources().items()
        for i in imports(module, text, _is_package(module))
    }
    assert CONVENIENCES <= used, sorted(CONVENIENCES - used)


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        # an upward import at module level
        (
            {"symopt.optim.fake": "from symopt.numeric.run import minimize"},
            "symopt.optim.fake imports symopt.numeric.run: optim may import only _typing, errors",
        ),
        # the same upward import hidden inside a function is still upward
        (
            {"symopt.symbolic.fake": "def f():\n    from symopt.plot import paths\n"},
            "symopt.symbolic.fake imports symopt.plot.paths: symbolic may import only _typing, "
            "errors",
        ),
        # ``from symopt import units`` reaches the units room
        (
            {"symopt.numeric.fake": "def f():\n    from symopt import units\n"},
            "symopt.numeric.fake imports symopt.units: numeric may import only _typing, errors, "
            "optim, symbolic",
        ),
        (
            {"symopt.optim.fake": "import pint"},
            "symopt.optim.fake imports pint: only symopt.units may",
        ),
        (
            {"symopt.plot.fake": "import matplotlib.pyplot as plt"},
            "symopt.plot.fake imports matplotlib at module level: only symopt.plot may, inside "
            "functions",
        ),
        (
            {"symopt.numeric.run": "import sympy"},
            "symopt.numeric.run imports sympy: in numeric "
            "only symopt.numeric.compile, symopt.numeric.lambdify see SymPy",
        ),
        # a cycle inside one room breaks no room rule but is still refused
        (
            {
                "symopt.theory.a": "from symopt.theory.b import x",
                "symopt.theory.b": "def f():\n    from symopt.theory.a import y\n",
            },
            "import cycle: symopt.theory.a -> symopt.theory.b",
        ),
    ],
)
def test_the_checker_refuses_a_deliberate_violation(sources, expected):
    assert [v.why for v in violations(sources)] == [expected]


def test_a_listed_convenience_is_accepted_only_where_it_is_listed():
    door = (
        "class Objective:\n    def critical_points(self):\n        from symopt.critical import x\n"
    )
    assert violations({"symopt.symbolic.objective": door}) == []
    elsewhere = door.replace("critical_points", "hessian")
    assert [v.why for v in violations({"symopt.symbolic.objective": elsewhere})] == [
        "symopt.symbolic.objective imports symopt.critical: symbolic may import only _typing, "
        "errors"
    ]
