"""The tutorial's own bq commands against a live Quarry, where google-cloud-cli is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from console.catalog.models import Dataset, MLModel, Project, Table
from console.engine.results import read_rows
from console.iam.models import ApiKey, RoleBinding
from tests import tutorial
from tests.conftest import MOVIE_ROWS, MOVIES_DAT, MOVIES_SCHEMA, tutorial_sed

BQ = shutil.which("bq")
pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        BQ is None,
        reason="the bq CLI is not installed (it comes with Debian's google-cloud-cli package)",
    ),
]

CREATE_MODEL = (
    "CREATE OR REPLACE MODEL `bqml_tutorial.my_mf_model` OPTIONS(model_type='matrix_factorization',"
    " feedback_type='explicit', user_col='user_id', item_col='item_id', l2_reg=9.83,"
    " num_factors=34) AS SELECT user_id, item_id, rating FROM `bqml_tutorial.ratings`"
)


def _credentials(tmp_path: Path) -> dict[str, str]:
    """Return the environment that gives bq a Quarry API key as its access token.

    bq sends its access token as `Authorization: Bearer`, so a Quarry API key is its credential.
    """
    owner = get_user_model().objects.create_user("alice", "alice@example.com")
    RoleBinding.grant(Project.default(), owner, "roles/owner")
    token = tmp_path / "token"
    token.write_text(ApiKey.issue(owner, "bq CLI")[1])
    (tmp_path / "gcloud").mkdir()
    return {
        **os.environ,
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
    }


def _api(live_server) -> str:
    # Each bq command spends seconds starting gcloud; an IPv4 address saves a lookup on top.
    return live_server.url.replace("localhost", "127.0.0.1")


@pytest.fixture
def bq_cli(live_server, worker: None, transactional_db: None, tmp_path: Path):
    """Return a function that runs `bq --api <live server>` and returns the finished process."""
    env = _credentials(tmp_path)
    api = _api(live_server)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [BQ, "--api", api, "--project_id=local-project", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )

    return run


@pytest.fixture
def bq_shell(live_server, worker: None, transactional_db: None, grouplens, tmp_path: Path):
    """Return a function running commands where the real `bq` reaches Quarry.

    Only the endpoint changes, the way a bq user changes it: a .bigqueryrc (here named by
    BIGQUERYRC) with `--api` and `--project_id`.
    """
    rc = tmp_path / "bigqueryrc"
    rc.write_text(f"--api={_api(live_server)}\n--project_id=local-project\n")
    env = {**_credentials(tmp_path), **grouplens, "BIGQUERYRC": str(rc)}
    return tutorial.shell_in(tmp_path / "work", env)


def test_it_runs_the_tutorials_shell_commands_as_written(bq_shell, movielens) -> None:
    tutorial.run_shell_route(bq_shell, movielens)


def test_it_runs_the_tutorial_commands(bq_cli, tutorial_files, tmp_path: Path) -> None:
    ratings_csv, _ = tutorial_files
    (tmp_path / "ratings.csv").write_bytes(ratings_csv)

    made = bq_cli("mk", "-d", "--location=US", "--description", "Tutorial.", "bqml_tutorial")
    assert made.stdout.strip() == "Dataset 'local-project:bqml_tutorial' successfully created."
    loaded = bq_cli(
        "load",
        "--source_format=CSV",
        "--field_delimiter=@",
        "bqml_tutorial.ratings",
        "ratings.csv",
        "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP",
    )
    assert loaded.returncode == 0, loaded.stderr
    assert Table.objects.get(table_id="ratings").num_rows == ratings_csv.count(b"\n")

    trained = bq_cli("query", "--use_legacy_sql=false", CREATE_MODEL)
    assert trained.returncode == 0, trained.stderr
    assert MLModel.objects.filter(model_id="my_mf_model").exclude(artifact_path="").exists()
    models = bq_cli("ls", "-m", "bqml_tutorial")
    assert "my_mf_model" in models.stdout and "MATRIX_FACTORIZATION" in models.stdout
    shown = bq_cli("show", "bqml_tutorial.ratings")
    assert shown.stdout.startswith("Table local-project:bqml_tutorial.ratings")
    assert "|- timestamp: timestamp" in shown.stdout

    # bq insert streams JSON rows through tabledata.insertAll; a bad row keeps all out.
    (tmp_path / "rows.json").write_text(
        '{"user_id": 9001, "item_id": 1, "rating": 5.0}\n{"user_id": 9002, "rating": "five"}\n'
    )
    refused = bq_cli("insert", "bqml_tutorial.ratings", "rows.json")
    assert refused.returncode == 1 and refused.stdout.splitlines() == [
        "record 0 errors: \tstopped: ",
        "record 1 errors: \tinvalid: Cannot convert value to FLOAT64 (bad value): five",
    ]
    assert Table.objects.get(table_id="ratings").num_rows == ratings_csv.count(b"\n")
    inserted = bq_cli("insert", "--skip_invalid_rows", "bqml_tutorial.ratings", "rows.json")
    assert inserted.stdout.startswith("record 1 errors: \tinvalid"), inserted.stderr
    assert Table.objects.get(table_id="ratings").num_rows == ratings_csv.count(b"\n") + 1
    sql = "UPDATE bqml_tutorial.ratings SET rating = 1 WHERE user_id = 9001"
    updated = bq_cli("query", "--use_legacy_sql=false", sql)
    assert "Number of affected rows: 1" in updated.stdout, updated.stderr

    removed = bq_cli("rm", "-r", "-f", "-d", "bqml_tutorial")
    assert removed.returncode == 0, removed.stderr
    assert not Dataset.objects.exists() and not MLModel.objects.exists()


def test_it_loads_the_tutorials_latin1_movies_and_a_utf16_file(bq_cli, tmp_path: Path) -> None:
    Dataset.create(Project.default(), "bqml_tutorial")
    (tmp_path / "movie_titles.csv").write_bytes(tutorial_sed(MOVIES_DAT))
    loaded = bq_cli(
        "load", "--source_format=CSV", "--field_delimiter=@", "bqml_tutorial.movies",
        "movie_titles.csv", MOVIES_SCHEMA,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    _, rows, _ = read_rows(Table.objects.get(table_id="movies"), 0, 100)
    assert rows == MOVIE_ROWS

    # bq sends --encoding as given and leaves skip_leading_rows out: autodetect finds the header.
    text = 'movie_id,movie_title\n73,"Misérables, Les (1995)"\n'
    (tmp_path / "titles16.csv").write_bytes(text.encode("utf-16-be"))
    loaded = bq_cli(
        "load", "--source_format=CSV", "--encoding=UTF-16BE", "--autodetect",
        "bqml_tutorial.titles16", "titles16.csv",
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    table = Table.objects.get(table_id="titles16")
    assert [(f["name"], f["type"]) for f in table.schema] == [
        ("movie_id", "INT64"),
        ("movie_title", "STRING"),
    ]
    assert read_rows(table, 0, 10)[1] == [[73, "Misérables, Les (1995)"]]
