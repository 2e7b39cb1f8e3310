"""dbt-bigquery against a live Quarry: `dbt seed`, then `dbt run` twice over a table, a view and an
incremental model that MERGEs, as a dbt user runs them (BIGQUERY_EMULATOR_HOST and a token)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from console.catalog.models import Table
from console.iam.models import ApiKey

pytestmark = pytest.mark.worker
DBT = Path(settings.BASE_DIR) / ".venv-dbt" / "bin" / "dbt"

PROJECT = """
name: quarry_demo
version: "1.0"
profile: quarry
model-paths: ["models"]
seed-paths: ["seeds"]
"""
PROFILES = """
quarry:
  target: dev
  outputs:
    dev:
      type: bigquery
      method: oauth-secrets
      token: "{token}"
      project: local-project
      dataset: dbt_demo
      threads: 1
      location: US
"""
MODELS = {
    "top_people.sql": "{{ config(materialized='table') }}\n"
    "select id, name, score from {{ ref('people') }} where score > 3",
    "people_view.sql": "{{ config(materialized='view') }}\n"
    "select id, upper(name) as name from {{ ref('people') }}",
    "scores.sql": "{{ config(materialized='incremental', unique_key='id', "
    "incremental_strategy='merge') }}\n"
    "select id, score * {{ var('factor', 1) }} as score from {{ ref('people') }}\n"
    "{% if is_incremental() %} where id >= 2 {% endif %}",
}


def dbt(project: Path, server: str, *args: str) -> str:
    env = {**os.environ, "BIGQUERY_EMULATOR_HOST": server, "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"}
    done = subprocess.run(
        [str(DBT), *args, "--profiles-dir", str(project), "--project-dir", str(project)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return done.stdout


def test_it_seeds_and_runs_a_dbt_project_twice(live_server, bq, tmp_path: Path) -> None:
    if not DBT.exists():
        pytest.skip("dbt is missing: `python3 manage.py test` installs it into .venv-dbt")
    owner = get_user_model().objects.create_superuser("dbt", "dbt@example.com", "x")
    (tmp_path / "dbt_project.yml").write_text(PROJECT)
    (tmp_path / "profiles.yml").write_text(PROFILES.format(token=ApiKey.issue(owner, "dbt")[1]))
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "people.csv").write_text(
        "id,name,score\n1,ada,3.5\n2,bob,4.0\n3,cy,2.5\n"
    )
    (tmp_path / "models").mkdir()
    for name, sql in MODELS.items():
        (tmp_path / "models" / name).write_text(sql)

    assert "Completed successfully" in dbt(tmp_path, live_server.url, "seed")
    first = dbt(tmp_path, live_server.url, "run")
    assert "PASS=3" in first and "CREATE TABLE (2.0 rows" in first
    second = dbt(tmp_path, live_server.url, "run", "--vars", "{factor: 2}")
    assert "PASS=3" in second and "MERGE (2.0 rows" in second

    assert Table.objects.get(table_id="people_view").table_type == Table.Type.VIEW
    rows = bq.query_and_wait("SELECT id, score FROM dbt_demo.scores ORDER BY id")
    # The second run merged ids 2 and 3 with doubled scores and kept id 1 as it was.
    assert [tuple(r.values()) for r in rows] == [(1, 3.5), (2, 8.0), (3, 5.0)]
    names = bq.query_and_wait("SELECT name FROM dbt_demo.people_view ORDER BY id")
    assert [r.name for r in names] == ["ADA", "BOB", "CY"]
