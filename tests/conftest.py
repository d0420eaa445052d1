"""Shared test set-up: a headless matplotlib backend, the worked examples run once, and a
guard against hangs.

Every test about an example reads its run from the session fixture :func:`examples`:
``examples["05"]`` runs ``examples/05_*.py`` the first time it is asked for (in the
tour's lecture style, its printed notes captured) and hands the same run to every
later test, so no example runs twice in one test session.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@dataclass(frozen=True)
class Ran:
    """One example after its run: the script as a module, what ``run`` returned, the
    folder it wrote into and what it printed."""

    module: ModuleType
    result: dict[str, Any]
    folder: Path
    notes: str

    @property
    def pictures(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.suffix in {".png", ".gif"})


class Examples:
    """The example scripts by number (``"01"`` …), each run on first access."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory):
        from symopt.tour import example_paths

        self.paths = {p.stem[:2]: p for p in example_paths()}
        self._tmp = tmp_path_factory
        self._runs: dict[str, Ran] = {}

    def __getitem__(self, number: str) -> Ran:
        if number not in self._runs:
            self._runs[number] = self._run(self.paths[number])
        return self._runs[number]

    def _run(self, path: Path) -> Ran:
        from symopt.tour import lecture_style, load_example

        module = load_example(path)
        folder = self._tmp.mktemp(path.stem)
        printed = io.StringIO()
        with lecture_style(), contextlib.redirect_stdout(printed):
            result = module.run(folder)
        return Ran(module, result, folder, printed.getvalue())


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Examples:
    """Each worked example, run at most once per test session (see the module docstring)."""
    return Examples(tmp_path_factory)


def _check_png(file: Path) -> None:
    from PIL import Image

    with Image.open(file) as im:
        im.verify()  # a complete, uncorrupted PNG
    with Image.open(file) as im:
        assert im.format == "PNG", f"{file.name} is a {im.format}"
        assert im.width > 100 and im.height > 100, f"{file.name} is {im.size}"
        grey = np.asarray(im.convert("L"), dtype=float)
    assert grey.std() > 5, f"{file.name} is (nearly) one colour"
    assert np.mean(grey < 250) > 0.01, f"{file.name} is (nearly) blank"


def _check_gif(file: Path) -> None:
    from PIL import Image

    with Image.open(file) as im:
        assert im.n_frames > 1, f"{file.name} has one frame"
        im.seek(0)
        first = np.asarray(im.convert("RGB"), dtype=float)
        im.seek(im.n_frames - 1)
        last = np.asarray(im.convert("RGB"), dtype=float)
    assert first.std() > 5, f"{file.name} starts blank"
    assert np.abs(first - last).max() > 0, f"{file.name} does not move"


@pytest.fixture(scope="session")
def check_picture():
    """``check_picture(file)`` fails unless ``file`` is a real, non-blank PNG, or an
    animated GIF whose first frame is not blank."""

    def check(file: Path) -> None:
        (_check_png if file.suffix == ".png" else _check_gif)(file)

    return check


class Hang(BaseException):
    """A block ran past its guard; a BaseException, so no ``except Exception`` in the code
    under test can turn it into the error the test expects."""


@pytest.fixture
def no_hang():
    """``with no_hang(seconds): ...`` fails the test if the block is still running after
    ``seconds``: a guard against hangs and runaway work, generous by design (speed is
    measured in benchmarks/, never in tests)."""

    @contextlib.contextmanager
    def guard(seconds: float):
        def stop(signum: int, frame: Any) -> None:
            raise Hang(f"still running after {seconds} s: a hang or runaway work")

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return guard
