"""The real bq CLI, authenticated the documented way (print-access-token), on the wire's edges:
head --selected_fields, rm -j, --nosync, cancel and --maximum_bytes_billed."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from console.catalog.models import Dataset, Project
from console.engine import tables
from console.iam.models import RoleBinding
from console.jobs.models import Job

BQ = shutil.which("bq")
pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        BQ is None,
        reason="the bq CLI is not installed (it comes with Debian's google-cloud-cli package)",
    ),
]
POINT = pa.struct([("x", pa.int64()), ("y", pa.int64())])
SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string()), ("point", POINT)])


@pytest.fixture
def bq_cli(live_server, worker: None, transactional_db: None, tmp_path: Path):
    """Return a function running the real bq against the live server, as its admin."""
    admin = get_user_model().objects.create_superuser("admin", "admin@localhost", "x")
    RoleBinding.grant(Project.default(), admin, "roles/owner")
    token = tmp_path / "token"
    out = io.StringIO()
    call_command("iam", "print-access-token", stdout=out)
    token.write_text(out.getvalue())
    (tmp_path / "gcloud").mkdir()
    env = {
        **os.environ,
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
    }
    api = live_server.url.replace("localhost", "127.0.0.1")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [BQ, "--api", api, "--project_id=local-project", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )

    dataset = Dataset.create(Project.default(), "ds")
    rows = pa.record_batch([[1, 2], ["a", "b"], [{"x": 10, "y": 20}, None]], schema=SCHEMA)
    tables.write_version(dataset, "t", SCHEMA, None, [rows])
    return run


def test_it_runs_the_wire_commands(bq_cli) -> None:
    head = bq_cli("--format=json", "head", "--selected_fields=point.y,id", "ds.t")
    assert head.returncode == 0, head.stderr
    assert head.stdout.strip() == '[{"id":"1","point":{"y":"20"}},{"id":"2","point":null}]'

    started = bq_cli("--nosync", "query", "--nouse_legacy_sql", "SELECT 1")
    assert started.returncode == 0, started.stderr
    job_id = re.fullmatch(r"Successfully started query local-project:(\S+)", started.stdout.strip())
    assert job_id, started.stdout
    waited = bq_cli("wait", job_id.group(1))
    assert waited.returncode == 0, waited.stderr

    removed = bq_cli("rm", "-f", "-j", job_id.group(1))
    assert removed.returncode == 0, removed.stderr
    assert not Job.objects.filter(job_id=job_id.group(1)).exists()

    limited = bq_cli(
        "query", "--nouse_legacy_sql", "--maximum_bytes_billed=1000", "SELECT * FROM ds.t"
    )
    assert limited.returncode != 0
    said = " ".join((limited.stdout + limited.stderr).split())  # bq wraps its lines
    assert "Query exceeded limit for bytes billed: 1000. 10485760 or higher required." in said
