"""The lecture tour: run every worked example and collect its figures and notes.

Each ``examples/NN_name.py`` defines ``run(out: Path) -> dict``, which writes its
figures into ``out``, prints what a student should notice and returns the key numbers.
:func:`run_tour` runs them in lecture order and writes ``index.html`` that shows every
figure beside the printed notes.

The scripts live in the top-level ``examples/`` of the project; the wheel carries them
as the package ``symopt.tour.examples`` (``package-dir`` in ``pyproject.toml``), so
:func:`examples_folder` finds them installed and in a checkout alike.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import importlib.util
import io
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from symopt.errors import ChoiceError, DependencyError, ExampleError
from symopt.plot.style import lecture_style


def script_main(run: Callable[[Path], Any], argv: Sequence[str] | None = None) -> None:
    """Command-line entry point shared by every example script: ``--out DIR``."""
    parser = argparse.ArgumentParser(description=(run.__module__ or "example"))
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("symopt-out"),
        help="folder for the figures (created if missing)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with lecture_style():
        run(args.out)


@dataclass
class Stop:
    """One example of the tour, after it ran."""

    name: str
    title: str
    notes: str = ""
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def examples_folder() -> Path:
    """The folder of the example scripts.

    Installed from a wheel they sit in this package (``symopt/tour/examples``); in a
    checkout, run from the source tree or installed editable, in its top-level
    ``examples/``.  Both places are found from this file, not from the import system,
    so a checkout on ``PYTHONPATH`` uses its own examples even when another copy of
    symopt is installed.

    >>> sorted(p.name for p in examples_folder().glob("0[12]_*.py"))
    ['01_surrogate.py', '02_optimization_loop.py']
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "examples", here.parents[1] / "examples"):  # wheel, checkout
        if (folder / "__init__.py").is_file():
            return folder
    raise DependencyError(
        f"no examples in {here / 'examples'} nor in {here.parents[1] / 'examples'}: this "
        "symopt is installed without its examples; reinstall it from a checkout of symopt "
        "(pip install .)"
    )


def example_paths(folder: Path | None = None) -> list[Path]:
    """The example scripts (of :func:`examples_folder` by default), in lecture order."""
    return sorted((folder or examples_folder()).glob("[0-9][0-9]_*.py"))


def load_example(path: Path) -> ModuleType:
    """Import an example script as a module (without running its ``__main__`` part)."""
    spec = importlib.util.spec_from_file_location(f"symopt_example_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def _title(module: ModuleType, path: Path) -> str:
    doc = (module.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else path.stem


def run_example(path: Path, out: Path) -> Stop:
    """Run one example into ``out / <its name>``, capturing what it prints."""
    folder = out / path.stem
    folder.mkdir(parents=True, exist_ok=True)
    module = load_example(path)
    stop = Stop(path.stem, _title(module, path))
    printed = io.StringIO()
    start = time.perf_counter()
    try:
        with lecture_style(), contextlib.redirect_stdout(printed):
            module.run(folder)
    except Exception as err:  # the tour goes on; the page shows what failed
        stop.error = f"{type(err).__name__}: {err}"
    stop.seconds = time.perf_counter() - start
    stop.notes = printed.getvalue()
    stop.files = sorted(p for p in folder.iterdir() if p.suffix in {".png", ".gif"})
    return stop


def write_index(stops: list[Stop], out: Path) -> Path:
    """An ``index.html`` showing every figure with its notes, in lecture order."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>symopt: Optimization in deep learning, the tour</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
        "img{max-width:100%;border:1px solid #ddd;margin:.5em 0}"
        "pre{background:#f6f6f6;padding:.8em;overflow-x:auto}.error{color:#b00}</style>",
        "</head><body><h1>Optimization in deep learning: the tour</h1><ol>",
    ]
    parts += [f"<li><a href='#{s.name}'>{html.escape(s.title)}</a></li>" for s in stops]
    parts.append("</ol>")
    for s in stops:
        parts.append(f"<h2 id='{s.name}'>{html.escape(s.title)}</h2>")
        parts.append(f"<p><code>examples/{s.name}.py</code> ({s.seconds:.1f} s)</p>")
        if s.error:
            parts.append(f"<p class='error'>failed: {html.escape(s.error)}</p>")
        if s.notes.strip():
            parts.append(f"<pre>{html.escape(s.notes)}</pre>")
        for f in s.files:
            src = html.escape(f.relative_to(out).as_posix())
            parts.append(f"<img src='{src}' alt='{html.escape(f.stem)}'>")
    parts.append("</body></html>")
    index = out / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index


def run_tour(
    out: str | Path = "symopt-tour",
    only: Sequence[str] | None = None,
    list_only: bool = False,
    progress: bool = True,
) -> str:
    """Run the worked examples in lecture order and write ``out/index.html``.

    Parameters
    ----------
    out : folder for the figures and the page (created if missing).
    only : run only the examples whose file names contain one of these words.
    list_only : list the examples and stop.
    progress : show a progress bar.

    Returns
    -------
    str
        A summary: one line per example, then where the page is.
    """
    paths = example_paths()
    if only:
        paths = [p for p in paths if any(word in p.stem for word in only)]
        if not paths:
            raise ChoiceError("only", list(only), [p.stem for p in example_paths()])
    if list_only:
        return "\n".join(p.stem for p in paths)
    from tqdm.auto import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stops = []
    # disable=None: a bar on a terminal only, not a thousand lines in a log
    bar = tqdm(paths, desc="tour", unit="example", disable=None if progress else True)
    for path in bar:
        bar.set_postfix_str(path.stem)
        stops.append(run_example(path, out))
    index = write_index(stops, out)
    lines = [
        f"{'FAILED' if s.error else 'ok':6} {s.name:<28} {s.seconds:5.1f} s  "
        f"{len(s.files)} figure(s)" + (f"  {s.error}" if s.error else "")
        for s in stops
    ]
    total = sum(s.seconds for s in stops)
    lines.append(f"{len(stops)} examples in {total:.1f} s; open {index}")
    failed = [s.name for s in stops if s.error]
    if failed:
        raise ExampleError("\n".join(lines) + f"\nfailed: {', '.join(failed)}")
    return "\n".join(lines)
