"""BigQuery's procedural language, run by the real worker: variables, control flow, errors.

Where BigQuery's procedural-language reference shows an example's output, the test runs that
example and expects that output.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from console.catalog.models import Table
from console.jobs.models import Job
from tests.conftest import job_rows

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(job: Job) -> list[list[Any]]:
    assert job.error_result is None, job.error_result
    return job_rows(job)[1]


def _error(job: Job) -> str:
    assert job.error_result is not None, "the script should have failed"
    return job.error_result["message"]


def test_it_declares_sets_and_reads_variables(run_sql: Any) -> None:
    job = run_sql(
        "DECLARE x INT64;\n"
        "DECLARE d DATE DEFAULT DATE '2024-01-31';\n"
        "DECLARE a, b INT64 DEFAULT 2;\n"
        "DECLARE s DEFAULT 'hi';\n"
        "SET x = a + b;\n"
        "SET (a, b) = (10, 20);\n"
        "SELECT x, d, a, b, s, x IS NULL"
    )
    assert _rows(job) == [[4, dt.date(2024, 1, 31), 10, 20, "hi", False]]
    assert job.statistics["statementType"] == "SCRIPT"


def test_it_sets_variables_from_a_struct_query(run_sql: Any) -> None:
    job = run_sql(
        "CREATE SCHEMA ds;\n"
        "CREATE TABLE ds.t AS SELECT 1 AS k, 'one' AS v UNION ALL SELECT 2, 'two';\n"
        "BEGIN\n"
        "  DECLARE n INT64;\n"
        "  DECLARE top STRING;\n"
        "  SET (n, top) = (SELECT AS STRUCT COUNT(*), MAX(v) FROM ds.t);\n"
        "  SELECT n, top;\n"
        "END"
    )
    assert _rows(job) == [[2, "two"]]


def test_it_runs_the_documented_loop_example(run_sql: Any) -> None:
    # The LOOP example of BigQuery's procedural-language reference.
    job = run_sql(
        "DECLARE x INT64 DEFAULT 0;\n"
        "LOOP\n"
        "  SET x = x + 1;\n"
        "  IF x >= 10 THEN\n"
        "    LEAVE;\n"
        "  END IF;\n"
        "END LOOP;\n"
        "SELECT x;"
    )
    assert _rows(job) == [[10]]


def test_it_runs_if_elseif_else(run_sql: Any) -> None:
    script = (
        "DECLARE n INT64 DEFAULT {n};\n"
        "DECLARE word STRING;\n"
        "IF n < 0 THEN SET word = 'negative';\n"
        "ELSEIF n = 0 THEN SET word = 'zero';\n"
        "ELSE SET word = 'positive';\n"
        "END IF;\n"
        "SELECT word"
    )
    assert _rows(run_sql(script.format(n=-3))) == [["negative"]]
    assert _rows(run_sql(script.format(n=0))) == [["zero"]]
    assert _rows(run_sql(script.format(n=5))) == [["positive"]]


def test_it_runs_while_repeat_and_continue(run_sql: Any) -> None:
    job = run_sql(
        "DECLARE i INT64 DEFAULT 0;\n"
        "DECLARE odd_sum INT64 DEFAULT 0;\n"
        "DECLARE r INT64 DEFAULT 0;\n"
        "WHILE i < 10 DO\n"
        "  SET i = i + 1;\n"
        "  IF MOD(i, 2) = 0 THEN CONTINUE; END IF;\n"
        "  SET odd_sum = odd_sum + i;\n"
        "END WHILE;\n"
        "REPEAT\n"
        "  SET r = r + 1;\n"
        "UNTIL r >= 3 END REPEAT;\n"
        "SELECT i, odd_sum, r"
    )
    assert _rows(job) == [[10, 25, 3]]


def test_it_breaks_out_of_a_labelled_outer_loop(run_sql: Any) -> None:
    job = run_sql(
        "DECLARE i INT64 DEFAULT 0;\n"
        "DECLARE steps INT64 DEFAULT 0;\n"
        "outer_loop: LOOP\n"
        "  SET i = i + 1;\n"
        "  inner_loop: LOOP\n"
        "    SET steps = steps + 1;\n"
        "    IF i = 3 THEN BREAK outer_loop; END IF;\n"
        "    ITERATE outer_loop;\n"
        "  END LOOP inner_loop;\n"
        "END LOOP outer_loop;\n"
        "SELECT i, steps"
    )
    assert _rows(job) == [[3, 3]]


def test_it_runs_for_in_over_a_query_with_struct_fields(run_sql: Any) -> None:
    job = run_sql(
        "DECLARE total INT64 DEFAULT 0;\n"
        "DECLARE names STRING DEFAULT '';\n"
        "FOR row IN (SELECT n, CONCAT('n', CAST(n AS STRING)) AS name "
        "FROM UNNEST([1, 2, 3]) AS n ORDER BY n) DO\n"
        "  SET total = total + row.n;\n"
        "  SET names = CONCAT(names, row.name);\n"
        "END FOR;\n"
        "SELECT total, names"
    )
    assert _rows(job) == [[6, "n1n2n3"]]


def test_it_scopes_variables_to_their_block(run_sql: Any) -> None:
    job = run_sql(
        "DECLARE x INT64 DEFAULT 1;\n"
        "BEGIN\n"
        "  DECLARE y INT64 DEFAULT 2;\n"
        "  SET x = x + y;\n"
        "END;\n"
        "SELECT y"
    )
    assert "Unrecognized name: y at [6:8]" in _error(job)
    inner = run_sql("BEGIN DECLARE y INT64 DEFAULT 2; SELECT y; END")
    assert _rows(inner) == [[2]]


def test_it_handles_an_error_and_reads_error_variables(run_sql: Any) -> None:
    job = run_sql(
        "BEGIN\n"
        "  SELECT 1/0;\n"
        "EXCEPTION WHEN ERROR THEN\n"
        "  SELECT @@error.message, @@error.statement_text, @@error.formatted_stack_trace,\n"
        "    @@error.stack_trace[OFFSET(0)].line;\n"
        "END"
    )
    assert _rows(job) == [
        ["Query error: division by zero: 1 / 0 at [2:3]", "SELECT 1/0", "At [2:3]", 2]
    ]


def test_it_raises_and_catches_its_own_errors(run_sql: Any) -> None:
    job = run_sql(
        "BEGIN\n"
        "  BEGIN\n"
        "    RAISE USING MESSAGE = 'Custom failure';\n"
        "  EXCEPTION WHEN ERROR THEN\n"
        "    RAISE USING MESSAGE = CONCAT('Rethrown: ', @@error.message);\n"
        "  END;\n"
        "EXCEPTION WHEN ERROR THEN\n"
        "  SELECT @@error.message;\n"
        "END"
    )
    assert _rows(job) == [["Rethrown: Custom failure"]]
    uncaught = run_sql("SELECT 1;\nRAISE USING MESSAGE = 'Stop here';")
    assert _error(uncaught) == "Stop here at [2:1]"


def test_it_ends_a_script_at_return_and_keeps_the_last_select(run_sql: Any) -> None:
    job = run_sql("SELECT 1 AS a;\nRETURN;\nSELECT 2 AS a;")
    assert _rows(job) == [[1]]


def test_it_ends_on_an_uncaught_error_in_bigquery_words_leaving_earlier_work(
    run_sql: Any,
) -> None:
    job = run_sql(
        "CREATE SCHEMA ds;\n"
        "CREATE TABLE ds.kept (x INT64);\n"
        "SELECT 1/0;\n"
        "CREATE TABLE ds.never (x INT64);"
    )
    assert _error(job) == "Query error: division by zero: 1 / 0 at [3:1]"
    assert Table.objects.filter(table_id="kept").exists()
    assert not Table.objects.filter(table_id="never").exists()
    children = list(job.children.order_by("created"))
    assert [c.statistics["statementType"] for c in children] == [
        "CREATE_SCHEMA",
        "CREATE_TABLE",
        "SELECT",
    ]
    assert [c.state for c in children] == ["DONE"] * 3
    assert children[2].error_result is not None


def test_it_records_child_jobs_and_script_variables(run_sql: Any) -> None:
    job = run_sql(
        "CREATE SCHEMA ds;\n"
        "CREATE TABLE ds.t (x INT64);\n"
        "INSERT INTO ds.t VALUES (1), (2), (3);\n"
        "SELECT @@row_count AS affected, @@script.num_child_jobs AS children,\n"
        "  @@script.job_id = @@script.job_id AS same, @@current_job_id <> @@script.job_id,\n"
        "  @@script.bytes_processed >= 0, @@script.creation_time IS NOT NULL, @@project_id"
    )
    assert _rows(job) == [[3, 3, True, True, True, True, job.project.project_id]]
    assert job.statistics["numChildJobs"] == "4"
    children = list(job.children.order_by("created"))
    last = children[-1]
    assert last.statistics["scriptStatistics"]["evaluationKind"] == "STATEMENT"
    assert last.statistics["scriptStatistics"]["stackFrames"][0]["startLine"] == 4
    assert children[2].statistics["numDmlAffectedRows"] == "3"
    assert job.result_path == last.result_path


def test_it_records_an_expression_that_reads_a_table_as_a_child_job(run_sql: Any) -> None:
    job = run_sql(
        "CREATE SCHEMA ds;\n"
        "CREATE TABLE ds.t AS SELECT 5 AS x;\n"
        "BEGIN\n"
        "  DECLARE m INT64 DEFAULT (SELECT MAX(x) FROM ds.t);\n"
        "  SELECT m;\n"
        "END"
    )
    assert _rows(job) == [[5]]
    kinds = [
        c.statistics["scriptStatistics"]["evaluationKind"] for c in job.children.order_by("created")
    ]
    assert kinds == ["STATEMENT", "STATEMENT", "EXPRESSION", "STATEMENT"]


def test_it_binds_variables_as_values_never_as_sql(run_sql: Any) -> None:
    job = run_sql(
        'DECLARE s STRING DEFAULT "x\'); DROP SCHEMA ds; --";\n'
        "DECLARE arr ARRAY<INT64> DEFAULT [3, 1, 2];\n"
        "SELECT s, (SELECT SUM(v) FROM UNNEST(arr) AS v)"
    )
    assert _rows(job) == [["x'); DROP SCHEMA ds; --", 6]]


def test_it_resolves_a_name_to_a_column_before_a_variable(run_sql: Any) -> None:
    # BigQuery's order: a column of the query first, then a variable of the same name.
    job = run_sql(
        "DECLARE k INT64 DEFAULT 100;\n"
        "DECLARE v STRING DEFAULT 'var';\n"
        "CREATE SCHEMA ds;\n"
        "CREATE TABLE ds.t AS SELECT 1 AS k UNION ALL SELECT 2;\n"
        "SELECT k, v, (SELECT MAX(v) FROM UNNEST([7, 8]) AS v) AS m FROM ds.t ORDER BY k"
    )
    assert _rows(job) == [[1, "var", 8], [2, "var", 8]]


# Bad input: BigQuery's wording and position, and nothing runs ------------------------------


@pytest.mark.parametrize(
    "script,message",
    [
        ("SET x = 1;", "Undeclared variable: x at [1:1]"),
        (
            "DECLARE x INT64;\nSET x = 'text';",
            "Cannot assign a value of type STRING to variable x of type INT64 at [2:9]",
        ),
        ("SELECT 1;\nBREAK;", "BREAK is only allowed inside a loop at [2:1]"),
        (
            "SELECT 1;\nDECLARE x INT64;",
            "Variable declarations are allowed only at the start of a block or script at [2:1]",
        ),
        ("DECLARE x INT64;\nDECLARE x STRING;", "Variable x is already declared at [2:1]"),
        ("IF 1 THEN SELECT 1; END IF;", "IF condition must be BOOL; got INT64 at [1:4]"),
        ("LOOP SELECT 1; END LOOP; SELECT (", "Syntax error: "),
        ("WHILE TRUE DO SELECT 1;", "Syntax error: Expected keyword END but got end of input"),
    ],
)
def test_it_refuses_bad_scripts_in_bigquery_words(run_sql: Any, script: str, message: str) -> None:
    assert message in _error(run_sql(script))


def test_it_checks_the_whole_script_before_running_any_of_it(run_sql: Any) -> None:
    job = run_sql("CREATE SCHEMA made;\nIF TRUE THEN\n  BREAK;\nEND IF;")
    assert "BREAK is only allowed inside a loop at [3:3]" in _error(job)
    job = run_sql("CREATE SCHEMA made;\nWHILE TRUE DO SELECT * FROM made.t WHERE (; END WHILE;")
    assert "Syntax error" in _error(job)
    from console.catalog.models import Dataset

    assert not Dataset.objects.filter(dataset_id="made").exists()
    assert not job.children.exists()


def test_it_answers_script_for_a_dry_run(run_sql: Any) -> None:
    from console.catalog.models import Project
    from console.engine.script import dry_run

    checked = dry_run(Project.default(), "DECLARE x INT64 DEFAULT 1; SELECT x", principal=None)
    assert checked["statementType"] == "SCRIPT"
