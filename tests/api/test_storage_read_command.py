"""`manage.py storage_read`, the process `serve` runs: it serves over TLS and stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import pyarrow as pa
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery_storage

from console.catalog.models import Dataset, Project
from console.engine import tables
from console.settings import BASE_DIR
from tests.conftest import TEST_TLS_DIR


def test_it_serves_the_storage_read_api_and_stops_on_sigterm(
    worker_env: dict[str, str], transactional_db: None
) -> None:
    data = pa.table({"x": list(range(10))})
    dataset = Dataset.create(Project.default(), "ds")
    tables.write_version(dataset, "t", data.schema, None, data.to_batches())
    env = {**worker_env, "QUARRY_VAR_DIR": str(TEST_TLS_DIR.parent)}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "storage_read", "--port", "0"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Storage Read API: 127.0.0.1:"), line
        assert f"(TLS, CA at {TEST_TLS_DIR / 'cert.pem'})" in line
        endpoint = line.split()[3]
        client = bigquery_storage.BigQueryReadClient(
            client_options={"api_endpoint": endpoint}, credentials=AnonymousCredentials()
        )
        session = client.create_read_session(
            parent="projects/local-project",
            read_session=bigquery_storage.types.ReadSession(
                table="projects/local-project/datasets/ds/tables/t",
                data_format=bigquery_storage.types.DataFormat.ARROW,
            ),
            max_stream_count=1,
        )
        rows = client.read_rows(session.streams[0].name).to_arrow(session)
        assert rows.column("x").to_pylist() == list(range(10))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
