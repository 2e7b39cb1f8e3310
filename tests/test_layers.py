"""The layers contract: front ends → jobs → engine → iam → catalog → mfcore → errors, never up.

docs/architecture.md draws the map; this test holds the code to it, counting every import,
including those inside functions (an upward import hidden in a function is still a cycle).
`.ci/run` runs it first, so a change that breaks a layer fails CI at once.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("console", "mfcore")

# Lowest first; a module belongs to the layer of the longest prefix that names it, and may import
# its own layer and the layers below it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("errors", ("console.errors", "console.settings", "console.hooks")),
    ("mfcore", ("mfcore",)),
    ("catalog", ("console.catalog",)),
    ("iam", ("console.iam",)),
    ("engine", ("console.engine",)),
    ("jobs", ("console.jobs",)),
    (
        "front ends",
        (
            "console",
            "console.web",
            "console.api",
            "console.cli",
            "console.management",
            # The admin is a page for people: it sits with the front ends, over every layer.
            "console.catalog.admin",
            "console.iam.admin",
            "console.jobs.admin",
        ),
    ),
]
# Front ends stand side by side: none reaches into another's package.
FRONT_ENDS = ("console.web", "console.api", ("console.cli", "console.management"))
# What a layer must not import from outside the project, and why.
FORBIDDEN_LIBRARIES = {
    "mfcore": ("django", "celery", "kombu", "redis", "duckdb"),
    "engine": ("celery", "kombu", "django.http", "django.shortcuts", "django.template"),
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """Return (imported module, line) for every import in path, at any depth."""
    found = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((candidate if candidate in MODULES else base, node.lineno))
    return found


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), index
    return rank


def _edges() -> list[tuple[str, str, int]]:
    return [
        (module, imported, line)
        for module, path in sorted(MODULES.items())
        for imported, line in _imports(module, path)
    ]


EDGES = _edges()


def _where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(ROOT)}:{line}"


def test_it_finds_every_layer_populated() -> None:
    ranks = {layer_of(module) for module in MODULES}
    assert ranks == set(range(len(LAYERS))), "a layer's prefixes no longer name any module"


def test_it_finds_no_import_pointing_up_a_layer() -> None:
    upward = [
        f"{_where(module, line)}: {module} ({LAYERS[layer_of(module)][0]}) imports {imported} "
        f"({LAYERS[layer_of(imported)][0]})"
        for module, imported, line in EDGES
        if imported.split(".")[0] in PACKAGES and layer_of(imported) > layer_of(module)
    ]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


@pytest.mark.parametrize("front_end", FRONT_ENDS, ids=str)
def test_it_keeps_each_front_end_out_of_the_others(front_end: str | tuple[str, ...]) -> None:
    own = (front_end,) if isinstance(front_end, str) else front_end
    others = [p for f in FRONT_ENDS if f != front_end for p in ((f,) if isinstance(f, str) else f)]

    def inside(module: str, prefixes: tuple[str, ...] | list[str]) -> bool:
        return any(module == p or module.startswith(p + ".") for p in prefixes)

    crossing = [
        f"{_where(module, line)}: {module} imports {imported}"
        for module, imported, line in EDGES
        if inside(module, own) and inside(imported, others)
    ]
    assert not crossing, "\n".join(crossing)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_LIBRARIES))
def test_it_keeps_libraries_out_of_the_layers_that_must_not_know_them(layer: str) -> None:
    rank = [name for name, _ in LAYERS].index(layer)
    banned = FORBIDDEN_LIBRARIES[layer]
    found = [
        f"{_where(module, line)}: {module} imports {imported}"
        for module, imported, line in EDGES
        if layer_of(module) == rank
        and any(imported == b or imported.startswith(b + ".") for b in banned)
    ]
    assert not found, "\n".join(found)


def test_it_creates_jobs_only_through_jobs_submit() -> None:
    creating = [
        f"{path.relative_to(ROOT)}"
        for module, path in MODULES.items()
        if "Job.objects.create(" in path.read_text(encoding="utf-8")
        and module != "console.jobs.submit"
    ]
    assert not creating, "jobs created outside console.jobs.submit:\n" + "\n".join(creating)
