"""Run the lecture's worked examples (``examples/NN_name.py``) and collect their output."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


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
    run(args.out)
