"""What bigframes does with models, through the real python client: train one in the user's own
hidden dataset, find it by the job's destination, give it an expiration, copy it to a dataset.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.cloud import bigquery
from google.oauth2.credentials import Credentials

from console.catalog.models import Dataset, MLModel, Project
from console.iam.models import ApiKey, RoleBinding

pytestmark = pytest.mark.worker
PROJECT = "local-project"
RATINGS = (
    "SELECT u AS user_id, i AS item_id, CAST(MOD(u * 7 + i * 3, 5) + 1 AS FLOAT64) AS rating "
    "FROM UNNEST(GENERATE_ARRAY(1, 30)) AS u, UNNEST(GENERATE_ARRAY(1, 20)) AS i "
    "WHERE MOD(u + i, 3) != 0"
)
OPTIONS = (
    "OPTIONS(model_type='matrix_factorization', feedback_type='explicit', user_col='user_id', "
    "item_col='item_id', rating_col='rating', l2_reg=9.83, num_factors=4)"
)


def client_for(live_server, username: str, role: str = "roles/bigquery.user") -> bigquery.Client:
    user = get_user_model().objects.create_user(username, f"{username}@example.com")
    RoleBinding.grant(Project.default(), user, role)
    return bigquery.Client(
        project=PROJECT,
        credentials=Credentials(token=ApiKey.issue(user, "test")[1]),
        client_options=ClientOptions(api_endpoint=live_server.url),
    )


def hidden_dataset(client: bigquery.Client) -> str:
    """Return the client's own hidden dataset, learnt as bigframes learns it: from a SELECT 1."""
    job = client.query("SELECT 1")
    job.result()
    return job.destination.dataset_id


def train_hidden_model(client: bigquery.Client) -> bigquery.QueryJob:
    dataset = hidden_dataset(client)
    job = client.query(
        f"CREATE OR REPLACE MODEL `{PROJECT}`.`{dataset}`.`0123456789abcdef0123456789abcdef` "
        f"{OPTIONS} AS {RATINGS}"
    )
    job.result()
    return job


def test_it_trains_a_model_in_the_users_own_hidden_dataset(live_server, bq) -> None:
    alice = client_for(live_server, "alice")
    job = train_hidden_model(alice)
    # bigframes reads the model's name from the CREATE MODEL job's destination.
    destination = job.destination
    assert destination.dataset_id == hidden_dataset(alice)
    assert destination.table_id == "0123456789abcdef0123456789abcdef"
    model_ref = f"{destination.project}.{destination.dataset_id}.{destination.table_id}"
    model = alice.get_model(model_ref)
    assert model.model_type == "MATRIX_FACTORIZATION"
    # What the user does not say, the hidden dataset keeps for 24 hours; models.patch changes it.
    assert dt.timedelta(hours=23) < model.expires - model.created <= dt.timedelta(hours=24)
    week = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    patched = bigquery.Model(model_ref)
    patched.expires = week
    patched = alice.update_model(patched, ["expires"])
    assert abs(patched.expires - week) < dt.timedelta(seconds=1)
    rows = alice.query(f"SELECT * FROM ML.EVALUATE(MODEL `{model_ref}`)").result()
    assert rows.total_rows == 1
    # Listed nowhere, not even for an administrator, who cannot use the model either.
    assert destination.dataset_id not in [d.dataset_id for d in bq.list_datasets()]
    assert destination.dataset_id not in [d.dataset_id for d in alice.list_datasets()]
    bob = client_for(live_server, "bob", "roles/bigquery.admin")
    with pytest.raises((exceptions.NotFound, exceptions.Forbidden)):
        bob.get_model(model_ref)
    with pytest.raises(exceptions.Forbidden):
        bob.query(f"SELECT * FROM ML.EVALUATE(MODEL `{model_ref}`)").result()
    with pytest.raises(exceptions.Forbidden):
        bob.query(f"CREATE MODEL `{model_ref}_too` {OPTIONS} AS {RATINGS}").result()


def test_it_refuses_a_dataset_named_like_a_hidden_one(bq: bigquery.Client) -> None:
    # Not the caller's own (which is made by a write into it), and no one else's to make.
    with pytest.raises(exceptions.Forbidden):
        bq.create_dataset("_" + "ab" * 20)
    assert not Dataset.objects.exists()


def test_it_copies_a_model_as_bigframes_to_gbq_does(live_server, bq) -> None:
    alice = client_for(live_server, "alice")
    bq.create_dataset("bqml_tutorial")
    RoleBinding.grant(
        Project.default(),
        get_user_model().objects.get(username="alice"),
        "roles/bigquery.dataEditor",
    )
    trained = train_hidden_model(alice).destination
    # model.to_gbq("bqml_tutorial.mf_explicit", replace=True)
    config = bigquery.CopyJobConfig(write_disposition="WRITE_TRUNCATE")
    alice.copy_table(trained, "bqml_tutorial.mf_explicit", job_config=config).result()
    copied = alice.get_model("bqml_tutorial.mf_explicit")
    source = MLModel.objects.get(model_id=trained.table_id)
    target = MLModel.objects.get(model_id="mf_explicit")
    assert target.artifact_path != source.artifact_path
    assert target.options == source.options and target.metrics == source.metrics
    assert copied.expires is None
    assert len(copied.training_runs[0]["results"]) == source.current_iterations().count() > 0
    recommended = alice.query(
        "SELECT user_id, item_id, predicted_rating FROM ML.RECOMMEND("
        "MODEL bqml_tutorial.mf_explicit, (SELECT 1 AS user_id)) ORDER BY item_id"
    ).result()
    expected = alice.query(
        f"SELECT user_id, item_id, predicted_rating FROM ML.RECOMMEND(MODEL "
        f"`{trained.project}.{trained.dataset_id}.{trained.table_id}`, (SELECT 1 AS user_id)) "
        "ORDER BY item_id"
    ).result()
    assert [tuple(r.values()) for r in recommended] == [tuple(r.values()) for r in expected]
    # predict(subset) sends its index columns along: ML.RECOMMEND passes them through.
    passed = alice.query(
        "SELECT * FROM ML.RECOMMEND(MODEL bqml_tutorial.mf_explicit, "
        "(SELECT 1 AS user_id, 2 AS item_id, 'first' AS bfuid_col_1))"
    ).result()
    assert [f.name for f in passed.schema] == [
        "predicted_rating",
        "user_id",
        "item_id",
        "bfuid_col_1",
    ]
    assert [r.bfuid_col_1 for r in passed] == ["first"]

    # Replacing keeps the old model serving until the copy commits, then removes its file.
    old_path = target.artifact_path
    alice.copy_table(trained, "bqml_tutorial.mf_explicit", job_config=config).result()
    assert MLModel.objects.get(model_id="mf_explicit").artifact_path != old_path
    # WRITE_EMPTY (the default) refuses a model that exists, in BigQuery's words.
    with pytest.raises(exceptions.Conflict, match="Already Exists: Model"):
        alice.copy_table(trained, "bqml_tutorial.mf_explicit").result()
    # A model and a table are not copied together.
    bq.query("CREATE TABLE bqml_tutorial.t AS SELECT 1 AS x").result()
    with pytest.raises(exceptions.BadRequest, match="copies one model"):
        alice.copy_table([trained, "bqml_tutorial.t"], "bqml_tutorial.other").result()
    assert not MLModel.objects.filter(model_id="other").exists()


def test_it_needs_model_permissions_to_copy_a_model(live_server, bq) -> None:
    bq.create_dataset("bqml_tutorial")
    bq.query(f"CREATE MODEL bqml_tutorial.mf {OPTIONS} AS {RATINGS}").result()
    viewer = client_for(live_server, "carol", "roles/bigquery.dataViewer")
    RoleBinding.grant(
        Project.default(),
        get_user_model().objects.get(username="carol"),
        "roles/bigquery.jobUser",
    )
    with pytest.raises(exceptions.Forbidden, match="bigquery.models.create"):
        viewer.copy_table("bqml_tutorial.mf", "bqml_tutorial.mine").result()
    assert not MLModel.objects.filter(model_id="mine").exists()
    # Into the viewer's own hidden dataset, which only they may write.
    own = hidden_dataset(viewer)
    viewer.copy_table("bqml_tutorial.mf", f"{PROJECT}.{own}.mine").result()
    assert viewer.get_model(f"{PROJECT}.{own}.mine").model_type == "MATRIX_FACTORIZATION"
    outsider = client_for(live_server, "dave", "roles/bigquery.jobUser")
    with pytest.raises(exceptions.Forbidden, match="bigquery.models.getData"):
        outsider.copy_table("bqml_tutorial.mf", f"{PROJECT}.{hidden_dataset(outsider)}.x").result()


def test_it_reads_an_anonymous_result_table_in_sql_and_copies_it(live_server, bq) -> None:
    alice = client_for(live_server, "alice")
    job = alice.query("SELECT x, x * 10 AS y FROM UNNEST([1, 2, 3]) AS x")
    job.result()
    name = f"`{job.destination.project}.{job.destination.dataset_id}.{job.destination.table_id}`"
    rows = alice.query(f"SELECT SUM(y) AS total FROM {name}").result()
    assert [r.total for r in rows] == [60]
    # As a copy source, into the owner's own hidden dataset (made on this first write).
    kept = f"{PROJECT}.{job.destination.dataset_id}.kept"
    alice.copy_table(job.destination, kept).result()
    assert sorted(r.x for r in alice.list_rows(kept)) == [1, 2, 3]
    assert alice.get_table(kept).expires is not None
    # Never written, even by its owner.
    with pytest.raises(exceptions.Forbidden, match="read-only"):
        alice.query(f"DELETE FROM {name} WHERE TRUE").result()
    # Another user, even an administrator, reads neither.
    bob = client_for(live_server, "bob", "roles/bigquery.admin")
    with pytest.raises(exceptions.Forbidden):
        bob.query(f"SELECT * FROM {name}").result()
    with pytest.raises(exceptions.Forbidden):
        bob.copy_table(job.destination, "x.y").result()
    with pytest.raises(exceptions.Forbidden):
        bob.query(f"SELECT * FROM `{kept}`").result()


def test_it_tells_the_columns_of_ml_functions_in_a_dry_run(bq: bigquery.Client) -> None:
    # bigframes dry-runs every query and reads the schema before it runs it.
    bq.create_dataset("bqml_tutorial")
    bq.query(f"CREATE MODEL bqml_tutorial.mf {OPTIONS} AS {RATINGS}").result()
    dry = bigquery.QueryJobConfig(dry_run=True)
    evaluated = bq.query("SELECT * FROM ML.EVALUATE(MODEL bqml_tutorial.mf)", job_config=dry)
    ran = bq.query("SELECT * FROM ML.EVALUATE(MODEL bqml_tutorial.mf)").result()
    assert [f.name for f in evaluated.schema] == [f.name for f in ran.schema]
    sql = (
        "SELECT * FROM ML.RECOMMEND(MODEL bqml_tutorial.mf, "
        "(SELECT 1 AS user_id, 2 AS item_id, 'a' AS bfuid_col_1))"
    )
    recommended = bq.query(sql, job_config=dry)
    ran = bq.query(sql).result()
    assert [(f.name, f.field_type) for f in recommended.schema] == [
        (f.name, f.field_type) for f in ran.schema
    ]
