"""BigQuery sessions through the real Python client: state shared by a session's jobs only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from google.api_core import exceptions
from google.cloud import bigquery

from console.catalog.models import Dataset, Project, Table
from console.iam.models import RoleBinding
from console.jobs.models import Session
from tests.api.test_anonymous_destinations import client_for

pytestmark = pytest.mark.worker


def in_session(session_id: str) -> bigquery.QueryJobConfig:
    return bigquery.QueryJobConfig(
        connection_properties=[bigquery.ConnectionProperty("session_id", session_id)]
    )


def start_session(client: bigquery.Client) -> str:
    job = client.query("SELECT 1", job_config=bigquery.QueryJobConfig(create_session=True))
    job.result()
    # bigframes and the DB-API assert this right after creating a session.
    assert job.session_info is not None and job.session_info.session_id
    return job.session_info.session_id


def rows(job: bigquery.QueryJob) -> list[tuple]:
    return [tuple(row.values()) for row in job.result()]


def test_it_keeps_temp_tables_and_functions_for_the_sessions_later_jobs(
    bq: bigquery.Client,
) -> None:
    session_id = start_session(bq)
    config = in_session(session_id)
    created = bq.query(
        "CREATE TEMP TABLE basket (item STRING, n INT64) CLUSTER BY item", job_config=config
    )
    created.result()
    bq.query(
        "INSERT INTO _SESSION.basket VALUES ('apple', 2), ('pear', 1)", job_config=config
    ).result()
    bq.query("CREATE TEMP FUNCTION twice(x INT64) AS (x * 2)", job_config=config).result()
    read = bq.query("SELECT item, twice(n) FROM basket ORDER BY item", job_config=config)
    assert rows(read) == [("apple", 4), ("pear", 2)]
    assert read.session_info.session_id == session_id
    assert created.session_info.session_id == session_id
    # As bigframes does: the table's real name, usable outside the session by its owner.
    hidden = created.destination
    assert hidden is not None and hidden.dataset_id.startswith("_session_")
    assert bq.get_table(hidden).num_rows == 2
    assert rows(bq.query(f"SELECT COUNT(*) FROM `{hidden.dataset_id}.basket`")) == [(2,)]
    # Listed nowhere, and unknown to another session and to a job in none.
    assert hidden.dataset_id not in [d.dataset_id for d in bq.list_datasets(include_all=True)]
    other = in_session(start_session(bq))
    with pytest.raises(exceptions.BadRequest, match="must be qualified with a dataset"):
        bq.query("SELECT * FROM basket", job_config=other).result()
    with pytest.raises(exceptions.NotFound, match="_SESSION.basket"):
        bq.query("SELECT * FROM _SESSION.basket", job_config=other).result()
    with pytest.raises(exceptions.BadRequest, match="Function not found: twice"):
        bq.query("SELECT twice(1)", job_config=other).result()
    # Replacing and dropping a temp table, as bigframes' common forms do.
    bq.query(
        "CREATE OR REPLACE TEMP TABLE basket AS SELECT 'fig' AS item", job_config=config
    ).result()
    assert rows(bq.query("SELECT * FROM basket", job_config=config)) == [("fig",)]
    bq.query("DROP TABLE _SESSION.basket", job_config=config).result()
    assert not Table.objects.filter(dataset__dataset_id=hidden.dataset_id).exists()

    bq.query("CREATE TEMP TABLE kept AS SELECT 1 AS x", job_config=config).result()
    aborted = bq.query("CALL BQ.ABORT_SESSION()", job_config=config)
    aborted.result()
    assert aborted.session_info.session_id == session_id
    with pytest.raises(exceptions.BadRequest, match=f"Session {session_id} has terminated"):
        bq.query("SELECT 1", job_config=config).result()
    assert not Dataset.objects.filter(dataset_id=hidden.dataset_id).exists()


def test_it_lets_only_the_sessions_creator_use_it(live_server, bq: bigquery.Client) -> None:
    alice = client_for(live_server, "alice")
    bob = client_for(live_server, "bob")
    RoleBinding.grant(
        Project.default(), get_user_model().objects.get(username="bob"), "roles/bigquery.admin"
    )
    session_id = start_session(alice)
    made = alice.query(
        "CREATE TEMP TABLE secret AS SELECT 42 AS x", job_config=in_session(session_id)
    )
    made.result()
    with pytest.raises(exceptions.Forbidden, match="only the user who created a session"):
        bob.query("SELECT * FROM secret", job_config=in_session(session_id)).result()
    # Not even a project admin reads another user's temporary table by its real name.
    with pytest.raises(exceptions.Forbidden):
        bob.get_table(made.destination)
    with pytest.raises(exceptions.Forbidden):
        bob.query(f"SELECT * FROM `{made.destination.dataset_id}.secret`").result()
    with pytest.raises(exceptions.Forbidden):
        bob.query(f"CALL BQ.ABORT_SESSION('{session_id}')").result()
    alice.query(f"CALL BQ.ABORT_SESSION('{session_id}')").result()
    assert Session.objects.get(session_id=session_id).state == Session.State.TERMINATED


def test_it_keeps_a_scripts_temp_table_until_the_script_ends(bq: bigquery.Client) -> None:
    script = bq.query(
        "CREATE TEMP TABLE t AS SELECT x FROM UNNEST([1, 2, 3]) x;"
        "INSERT INTO t VALUES (4);"
        "SELECT SUM(x) AS total FROM t"
    )
    assert rows(script) == [(10,)]
    assert script.session_info is None
    assert not Dataset.objects.filter(dataset_id__startswith="_script_").exists()
    with pytest.raises(
        exceptions.BadRequest, match="Use of CREATE TEMPORARY TABLE requires a script or session"
    ):
        bq.query("CREATE TEMP TABLE t (x INT64)").result()
    with pytest.raises(exceptions.BadRequest, match="cannot be qualified with a dataset"):
        bq.query("CREATE TEMP TABLE shop.t (x INT64); SELECT 1").result()


def test_it_refuses_bad_session_properties(bq: bigquery.Client) -> None:
    with pytest.raises(exceptions.NotFound, match="Not found: Session nosuchsession"):
        bq.query("SELECT 1", job_config=in_session("nosuchsession")).result()
    blank_key = bigquery.QueryJobConfig(
        connection_properties=[bigquery.ConnectionProperty("", "x")]
    )
    with pytest.raises(exceptions.BadRequest, match=r"connectionProperties\[0\].key"):
        bq.query("SELECT 1", job_config=blank_key).result()
    both = in_session("x")
    both.create_session = True
    with pytest.raises(exceptions.BadRequest, match="either starts a session or joins one"):
        bq.query("SELECT 1", job_config=both).result()
    twice = bigquery.QueryJobConfig(
        connection_properties=[
            bigquery.ConnectionProperty("session_id", "a"),
            bigquery.ConnectionProperty("session_id", "b"),
        ]
    )
    with pytest.raises(exceptions.BadRequest, match="Duplicate connection property session_id"):
        bq.query("SELECT 1", job_config=twice).result()
    assert not Session.objects.exists()
    with pytest.raises(exceptions.BadRequest, match="runs in no session"):
        bq.query("CALL BQ.ABORT_SESSION()").result()


def test_it_keeps_a_sessions_variables_for_its_later_jobs(bq: bigquery.Client) -> None:
    config = in_session(start_session(bq))
    bq.query("DECLARE basket ARRAY<STRING> DEFAULT ['apple']", job_config=config).result()
    bq.query(
        "DECLARE n INT64 DEFAULT 2; SET basket = ARRAY_CONCAT(basket, ['pear'])",
        job_config=config,
    ).result()
    read = bq.query("SELECT ARRAY_TO_STRING(basket, ','), n", job_config=config)
    assert rows(read) == [("apple,pear", 2)]
    # A variable is the session's: another session, and a job in none, do not know it.
    for other in (in_session(start_session(bq)), None):
        with pytest.raises(exceptions.BadRequest, match="Unrecognized name: n"):
            bq.query("SELECT n, basket", job_config=other).result()
