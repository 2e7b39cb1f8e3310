"""Quarry's benchmarks: commands that print figures, one module per set of figures.

Run them from the checkout with the project's environment, e.g. ``.venv/bin/python -m
benchmarks.training``. They are not part of the installed package (pyproject.toml's package list
names only ``console`` and ``mfcore``) and nothing shipped imports them.
"""
