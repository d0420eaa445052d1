"""Shared test set-up: a headless matplotlib backend and deterministic seeds."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
