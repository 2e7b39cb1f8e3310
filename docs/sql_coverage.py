"""Write docs/sql-coverage.md: where Quarry stands on every function of BigQuery's reference.

    python -m docs.sql_coverage

For each function of docs/reference/googlesql-functions.tsv, the status is
- documented behaviour: conformance cases run it, and functions.PARTIAL has no note for it;
- partial: it runs, and functions.PARTIAL says what differs from BigQuery;
- refused: Quarry's dry run refuses every call tried (the reason is shown);
- untested: a call passes the dry run, but no case runs it.
The cases are every CASES and ML_CASES of tests/engine/test_conformance*.py; a case covers each
function its SQL calls, as the Quarry dialect parses it. tests/engine/test_sql_coverage checks
that the committed document is what this writes.
"""

from __future__ import annotations

import importlib
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_LIST = ROOT / "docs" / "reference" / "googlesql-functions.tsv"
DOCUMENT = ROOT / "docs" / "sql-coverage.md"
SUITES = "tests/engine/test_conformance*.py"
STATUSES = ("documented behaviour", "partial", "refused", "untested")
DIFFERENTIAL_PRIVACY = " (Differential Privacy)"
# What a dry run says when it refuses the function itself, rather than the probe's arguments.
REFUSALS = ("Function not found", "function not found", "Syntax error", "Quarry cannot")
# Argument lists a probe tries, in turn, until the dry run takes one: untyped NULLs, then the
# shapes of calls whose arguments the parser checks (an interval, a date part, a constant).
PROBE_ARGUMENTS = (
    "",
    "NULL",
    "NULL, NULL",
    "NULL, NULL, NULL",
    "NULL, 1",
    "NULL, INTERVAL 1 DAY",
    "NULL, NULL, DAY",
    "NULL, DAY",
)


@dataclass(frozen=True)
class Function:
    name: str
    page: str
    summary: str


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    sql: str
    passes: bool  # expected rows, not an error

    @property
    def id(self) -> str:
        return f"{self.suite}:{self.name}"


@dataclass
class Row:
    function: Function
    status: str
    note: str = ""
    cases: list[Case] = field(default_factory=list)


def read_functions() -> list[Function]:
    lines = [line for line in FUNCTION_LIST.read_text().splitlines() if not line.startswith("#")]
    return [Function(*line.split("\t")) for line in lines[1:] if line]


def read_cases() -> list[Case]:
    """Every conformance case, from every suite there is."""
    from tests.engine.conformance import Error

    found = []
    for path in sorted(ROOT.glob(SUITES)):
        module = importlib.import_module(f"tests.engine.{path.stem}")
        suite = path.stem.removeprefix("test_conformance").lstrip("_") or "core"
        for table in ("CASES", "ML_CASES"):
            for case in getattr(module, table, []):
                found.append(Case(suite, case[0], case[1], not isinstance(case[2], Error)))
    return found


def called_functions(sql: str) -> set[str]:
    """The functions a case's SQL calls, by upper-case name: each name (dotted, as NET.HOST,
    without a SAFE. prefix) the Quarry dialect's tokenizer reads right before a parenthesis.

    Tokens rather than the parsed tree: sqlglot parses some calls (DIV, MOD) as operators and
    spells others under its own names, while the written name is BigQuery's.
    """
    from sqlglot.tokens import TokenType

    from console.engine.parse import tokenize
    from console.errors import BigQueryError

    try:
        tokens = tokenize(sql)
    except BigQueryError:
        return set()
    names: set[str] = set()
    for index, token in enumerate(tokens[1:], start=1):
        if token.token_type != TokenType.L_PAREN:
            continue
        parts, at = [], index - 1
        while at >= 0 and re.fullmatch(r"[A-Za-z_]\w*", tokens[at].text):
            parts.insert(0, tokens[at].text.upper())
            if at == 0 or tokens[at - 1].token_type != TokenType.DOT:
                break
            at -= 2
        if parts and parts[0] == "SAFE":
            parts = parts[1:]
        if parts:
            names.add(".".join(parts))
    return names


def probe(function: Function) -> str | None:
    """Return why Quarry's dry run refuses every call of the function tried, or None if one
    passes (or fails only for the probe's own arguments)."""
    from console.catalog.models import Project
    from console.engine.script import dry_run
    from console.errors import BigQueryError

    reasons = []
    for sql in _probes(function):
        try:
            dry_run(Project.default(), sql, principal=None)
            return None
        except BigQueryError as err:
            if not any(refusal in err.message for refusal in REFUSALS):
                return None
            reasons.append(re.sub(r" at \[\d+:\d+\]", "", err.message))
    return next((r for r in reasons if "unction not found" in r), reasons[0])


def _probes(function: Function) -> Iterator[str]:
    name = function.name
    if name.endswith(DIFFERENTIAL_PRIVACY):
        base = name.removesuffix(DIFFERENTIAL_PRIVACY)
        yield f"SELECT WITH DIFFERENTIAL_PRIVACY {base}(x) FROM UNNEST([1]) AS x"
        return
    if name.startswith("ML."):
        # Not found, if it runs: no dataset is named so.
        yield f"SELECT * FROM {name}(MODEL probe_dataset.m)"
        return
    for arguments in PROBE_ARGUMENTS:
        if function.summary.startswith("table function"):
            yield f"SELECT * FROM {name}({arguments})"
        else:
            yield f"SELECT {name}({arguments})"


def rows(functions: list[Function], cases: list[Case], partial: dict[str, str]) -> list[Row]:
    calls = {case.id: called_functions(case.sql) for case in cases}
    result = []
    for function in functions:
        key = function.name.removesuffix(DIFFERENTIAL_PRIVACY).upper()
        covering = [
            case
            for case in cases
            if key in calls[case.id] and not function.name.endswith(DIFFERENTIAL_PRIVACY)
        ]
        runs = any(case.passes for case in covering)
        refusal = None if runs else probe(function)
        if refusal is not None:
            row = Row(function, "refused", refusal, covering)
        elif function.name in partial:
            row = Row(function, "partial", partial[function.name], covering)
        elif runs:
            row = Row(function, "documented behaviour", "", covering)
        else:
            row = Row(function, "untested", "", covering)
        result.append(row)
    return result


def render(table: list[Row], cases: list[Case]) -> str:
    suites = Counter(case.suite for case in cases)
    lines = [
        "# GoogleSQL function coverage",
        "",
        "Generated by `python -m docs.sql_coverage` (do not edit by hand): every function of",
        "BigQuery's reference ([docs/reference/googlesql-functions.tsv]"
        "(reference/googlesql-functions.tsv)), its status in Quarry, and the conformance cases",
        "that call it. *Documented behaviour*: cases run it and give BigQuery's documented",
        "results. *Partial*: it runs, with the difference noted. *Refused*: Quarry's dry run",
        "refuses it, in BigQuery's words (shown). *Untested*: it runs, but no case checks it.",
        "",
        f"Conformance cases: **{len(cases)}** ("
        + ", ".join(f"{suite} {count}" for suite, count in sorted(suites.items()))
        + ").",
        "",
        "## Summary by area",
        "",
        "| Area | " + " | ".join(STATUSES) + " | functions |",
        "|---|" + "---:|" * (len(STATUSES) + 1),
    ]
    pages = sorted({row.function.page for row in table})
    for page in [*pages, None]:
        chosen = [row for row in table if page is None or row.function.page == page]
        counts = Counter(row.status for row in chosen)
        label = f"[{page}](#{page})" if page else "**all**"
        lines.append(
            f"| {label} | " + " | ".join(str(counts[s]) for s in STATUSES) + f" | {len(chosen)} |"
        )
    for page in pages:
        lines += [
            "",
            f"## {page}",
            "",
            "| Function | Status | Notes | Cases |",
            "|---|---|---|---|",
        ]
        for row in sorted(
            (r for r in table if r.function.page == page), key=lambda r: r.function.name
        ):
            ids = ", ".join(f"`{case.id}`" for case in row.cases)
            note = row.note.replace("|", "\\|")
            lines.append(f"| `{row.function.name}` | {row.status} | {note} | {ids} |")
    return "\n".join(lines) + "\n"


def generate() -> str:
    from console.engine.functions import PARTIAL

    cases = read_cases()
    return render(rows(read_functions(), cases, PARTIAL), cases)


def main() -> None:
    from benchmarks._django import setup_throwaway_django

    with tempfile.TemporaryDirectory() as var:
        setup_throwaway_django(Path(var))
        DOCUMENT.write_text(generate())
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
