"""The tour ships: a wheel built from this checkout, installed in a fresh venv, runs
``symopt tour`` from an empty folder, outside any checkout.

No network: the wheel is built with the setuptools already installed
(``--no-build-isolation``) and installed with ``--no-index --no-deps``; the new venv
sees this environment's dependencies (sympy, numpy, ...) through a ``.pth`` file, but
not this checkout, so the ``symopt`` it runs is the wheel's.
"""

from __future__ import annotations

import html
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import symopt

pytestmark = pytest.mark.slow

CHECKOUT = Path(symopt.__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "symopt", "examples")
DEPENDENCIES = ("sympy", "numpy", "matplotlib", "pint", "tqdm", "PIL", "sklearn")
ONLY = ("01", "04")


def _run(*args: object, **kwargs: object) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=600, **kwargs
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH (which would put the checkout first)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    return env | {"MPLBACKEND": "Agg", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _build_wheel(tmp: Path) -> Path:
    """Build from a copy of the sources, so no build/ or egg-info lands in the checkout
    (and no stale build/ folder of the checkout can leak into the wheel)."""
    source = tmp / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        src = CHECKOUT / name
        if src.is_dir():
            shutil.copytree(src, source / name, ignore=ignore)
        else:
            shutil.copy2(src, source / name)
    dist = tmp / "dist"
    flags = "--no-deps --no-build-isolation --no-index -q".split()
    _run(sys.executable, "-m", "pip", "wheel", *flags, "-w", dist, source, env=_clean_env())
    (wheel,) = dist.glob("symopt-*.whl")
    return wheel


def _venv_with_wheel(tmp: Path, wheel: Path) -> Path:
    """A fresh venv holding the wheel, with this environment's dependencies on its path;
    returns its python."""
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    flags = "--no-deps --no-index -q".split()
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", *flags, wheel, env=_clean_env()
    )
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(_run(python, "-c", where).stdout.strip())
    folders = {Path(sysconfig.get_path(key)).resolve() for key in ("purelib", "platlib")}
    for name in DEPENDENCIES:  # also where each lives, if elsewhere (a user site, ...)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            folders.add(Path(spec.origin).resolve().parents[1])
    assert CHECKOUT not in folders  # the checkout itself must stay invisible
    lines = "".join(f"{folder}\n" for folder in sorted(folders))
    (site / "_symopt_test_dependencies.pth").write_text(lines, encoding="utf-8")
    return python


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_carries_every_module_and_example(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    examples = sorted((CHECKOUT / "examples").glob("[0-9][0-9]_*.py"))
    assert len(examples) >= 15
    for script in examples:
        assert f"symopt/tour/examples/{script.name}" in names, f"{script.name} not shipped"
    # the package list in pyproject.toml is explicit: a package missing there is missing here
    for module in sorted((CHECKOUT / "symopt").rglob("*.py")):
        inside = module.relative_to(CHECKOUT).as_posix()
        assert inside in names, f"{inside} is not in the wheel: list its package in pyproject.toml"
    assert "symopt/units/rules.txt" in names
    assert not any(n.startswith(("examples/", "tests/")) for n in names)  # no stray top level


def test_symopt_tour_runs_from_an_installed_wheel(wheel, tmp_path, examples, check_picture):
    python = _venv_with_wheel(tmp_path, wheel)
    env = _clean_env()
    empty = tmp_path / "empty"
    empty.mkdir()

    where = _run(python, "-c", "import symopt; print(symopt.__file__)", cwd=empty, env=env)
    installed = Path(where.stdout.strip()).resolve()
    assert installed.is_relative_to(python.parents[1].resolve()), installed
    assert "site-packages" in installed.parts and not installed.is_relative_to(CHECKOUT)

    out = tmp_path / "tour"
    symopt_command = python.parent / ("symopt.exe" if os.name == "nt" else "symopt")
    done = _run(
        symopt_command, "tour", "--only", *ONLY, "--out", out, "--no-progress", cwd=empty, env=env
    )
    print(f"wheel {wheel.stat().st_size / 1e3:.0f} kB; built, installed and toured")
    assert f"{len(ONLY)} examples in" in done.stdout
    assert not any(empty.iterdir()), "the tour wrote into the current folder"

    page = (out / "index.html").read_text(encoding="utf-8")
    assert "03_" not in page
    for number in ONLY:
        ran = examples[number]  # the same example, run from the checkout
        name = examples.paths[number].stem
        assert html.escape(ran.module.__doc__.strip().splitlines()[0]) in page
        written = sorted(p.name for p in (out / name).iterdir())
        assert written == [p.name for p in ran.pictures], f"{name} from the wheel"
        for file in written:
            check_picture(out / name / file)
            assert f"src='{name}/{file}'" in page
