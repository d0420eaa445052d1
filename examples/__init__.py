"""The worked examples, one script per section of the lecture (``symopt tour`` runs them).

This folder is the package ``symopt.tour.examples`` in the wheel (see ``pyproject.toml``).
"""
