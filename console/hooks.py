"""What a lower layer asks of the jobs layer above it, registered by that layer at startup.

The engine and IAM may not import the jobs app (layers point down), yet they need a few of its
answers: the JOBS rows of INFORMATION_SCHEMA, a query's anonymous result table, who owns a
session's hidden dataset. `JobsConfig.ready` names the functions here by dotted path; each is
imported on its first call. Registering them therefore loads nothing: a process that never
needs the engine (`bq ls`) does not pay for DuckDB, sqlglot and pyarrow at startup.
"""

from __future__ import annotations

import importlib
from typing import Any

_paths: dict[str, str] = {}


def provide(hook: str, path: str) -> None:
    """Register the function "package.module.name" as what answers hook."""
    _paths[hook] = path


def call(hook: str, *args: Any, default: Any = None) -> Any:
    """Return what the function registered for hook answers, or default if none is."""
    path = _paths.get(hook)
    if path is None:
        return default
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(*args)
