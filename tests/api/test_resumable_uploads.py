"""Resumable uploads on retries, as Google's protocol has them: a resent chunk, a status query, a
gap, a lost answer, and sessions abandoned by their client."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.utils import timezone
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from google.cloud.bigquery import client as client_module

from console.catalog.models import Table
from console.engine import resumable
from console.jobs.models import Job
from tests.conftest import wait_for

UPLOAD = "/upload/bigquery/v2/projects/local-project/jobs"
CHUNK = 256 * 1024  # the smallest chunk Google's protocol allows
LINES = 60_000  # about 1 MB of CSV: five chunks


def load_metadata(table_id: str) -> dict:
    return {
        "configuration": {
            "load": {
                "destinationTable": {
                    "projectId": "local-project",
                    "datasetId": "uploads",
                    "tableId": table_id,
                },
                "sourceFormat": "CSV",
                "schema": {"fields": [{"name": "n", "type": "INT64"}]},
            }
        }
    }


@pytest.fixture
def dataset(bq: bigquery.Client) -> str:
    return bq.create_dataset("uploads").dataset_id


def csv_lines(count: int) -> bytes:
    return "".join(f"{n}\n" for n in range(count)).encode()


def numbers_in(bq: bigquery.Client, table_id: str) -> tuple[int, int, int]:
    """Return the rows, the distinct numbers and the largest number of a loaded table."""
    sql = f"SELECT COUNT(*) AS r, COUNT(DISTINCT n) AS d, MAX(n) AS m FROM uploads.{table_id}"
    (row,) = bq.query(sql).result()
    return row["r"], row["d"], row["m"]


class LosesOneAnswer(requests.adapters.HTTPAdapter):
    """Send every request, but drop the answer to the first upload PUT lose() picks, as a
    connection cut after the server did the work would (the client then resends the chunk)."""

    def __init__(self, lose: Callable[[requests.PreparedRequest], bool]) -> None:
        super().__init__()
        self.lose = lose
        self.lost: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        response = super().send(request, **kwargs)
        if request.method == "PUT" and not self.lost and self.lose(request):
            self.lost.append(request.headers["content-range"])
            raise requests.exceptions.ConnectionError("the answer was lost on the way back")
        return response


def second_chunk(request: requests.PreparedRequest) -> bool:
    return request.headers["content-range"].startswith(f"bytes {CHUNK}-")


def last_chunk(request: requests.PreparedRequest) -> bool:
    return not request.headers["content-range"].endswith("/*")  # only the last names the total


@pytest.mark.parametrize("lose", [second_chunk, last_chunk])
def test_it_completes_a_load_whose_chunk_the_client_sent_twice(
    live_server, bq: bigquery.Client, dataset: str, monkeypatch, lose: Callable
) -> None:
    monkeypatch.setattr(client_module, "_DEFAULT_CHUNKSIZE", CHUNK)
    adapter = LosesOneAnswer(lose)
    session = requests.Session()
    session.mount("http://", adapter)
    client = bigquery.Client(
        project="local-project",
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=live_server.url),
        _http=session,
    )
    config = bigquery.LoadJobConfig(
        source_format="CSV", schema=[bigquery.SchemaField("n", "INT64")]
    )
    job = client.load_table_from_file(
        io.BytesIO(csv_lines(LINES)), "local-project.uploads.numbers", job_config=config
    )
    job.result(timeout=120)
    assert adapter.lost  # the fault happened, and the client got over it
    assert job.output_rows == LINES
    assert numbers_in(bq, "numbers") == (LINES, LINES, LINES - 1)
    assert Job.objects.filter(job_type=Job.Type.LOAD).count() == 1


def start(url: str, table_id: str = "t") -> str:
    response = requests.post(
        f"{url}{UPLOAD}?uploadType=resumable", json=load_metadata(table_id), timeout=30
    )
    assert response.status_code == 200
    return response.headers["Location"]


def put(location: str, data: bytes, content_range: str) -> requests.Response:
    return requests.put(location, data=data, headers={"Content-Range": content_range}, timeout=60)


def received(response: requests.Response) -> str | None:
    assert response.status_code == 308, response.text
    return response.headers.get("Range")


def test_it_answers_retries_with_the_bytes_it_holds(
    live_server, bq: bigquery.Client, dataset: str
) -> None:
    data = b"".join(f"{n:03d}\n".encode() for n in range(10))  # 40 bytes, 4 per line
    location = start(live_server.url)
    assert received(put(location, b"", "bytes */*")) is None  # nothing has arrived yet
    assert received(put(location, data[:12], "bytes 0-11/*")) == "bytes=0-11"
    assert received(put(location, data[:12], "bytes 0-11/*")) == "bytes=0-11"  # resent
    assert received(put(location, b"", "bytes */40")) == "bytes=0-11"  # a status query
    assert received(put(location, data[8:20], "bytes 8-19/*")) == "bytes=0-19"  # overlapping
    assert received(put(location, data[28:], "bytes 28-39/40")) == "bytes=0-19"  # past the end
    done = put(location, data[20:], "bytes 20-39/40")
    assert done.status_code == 200
    job_id = done.json()["jobReference"]["jobId"]
    # The client may have lost that answer: the status and the resent last chunk give it again.
    assert put(location, b"", "bytes */40").json()["jobReference"]["jobId"] == job_id
    assert put(location, data[20:], "bytes 20-39/40").json()["jobReference"]["jobId"] == job_id
    assert wait_for(Job.objects.get(job_id=job_id), 120).error_result is None
    assert numbers_in(bq, "t") == (10, 10, 9)
    assert Job.objects.filter(job_type=Job.Type.LOAD).count() == 1


def test_it_makes_one_job_when_the_last_chunk_races_its_resend(
    live_server, bq: bigquery.Client, dataset: str
) -> None:
    location = start(live_server.url)
    assert received(put(location, b"1\n", "bytes 0-1/*")) == "bytes=0-1"
    together = threading.Barrier(2)

    def send_last(_: int) -> requests.Response:
        together.wait()
        return put(location, b"2\n3\n", "bytes 2-5/6")

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(send_last, range(2)))
    assert [answer.status_code for answer in answers] == [200, 200]
    assert len({answer.json()["jobReference"]["jobId"] for answer in answers}) == 1
    assert numbers_in(bq, "t") == (3, 3, 3)
    assert Job.objects.filter(job_type=Job.Type.LOAD).count() == 1


@pytest.mark.parametrize(
    ("data", "content_range", "message"),
    [
        (b"4\n5\n", "bytes 0-3/two", "Invalid Content-Range header: bytes 0-3/two"),
        (b"4\n5\n", "bytes 3-0/4", "names no bytes of the file"),
        (b"4\n5\n", "bytes 0-3/2", "names no bytes of the file"),
        (b"4\n", "bytes 0-3/4", "Content-Range names 4 bytes but Content-Length is 2"),
        (b"4\n", "bytes */4", "asks for the upload's status: send no bytes"),
        (b"", "bytes */1", "the file's size as 1, but 2 bytes have already arrived"),
    ],
)
def test_it_refuses_a_broken_request_and_keeps_the_session(
    live_server, dataset: str, data: bytes, content_range: str, message: str
) -> None:
    location = start(live_server.url)
    assert received(put(location, b"1\n", "bytes 0-1/*")) == "bytes=0-1"
    refused = put(location, data, content_range)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert message in error["message"]
    assert error["errors"][0]["reason"] == "invalid"
    assert received(put(location, b"", "bytes */*")) == "bytes=0-1"  # nothing changed
    assert put(location, b"2\n3\n", "bytes 2-5/6").status_code == 200


def test_it_removes_sessions_abandoned_for_a_day(
    live_server, dataset: str, storage_dir: Path, settings
) -> None:
    abandoned, active = start(live_server.url), start(live_server.url)
    for location in (abandoned, active):
        assert received(put(location, b"1\n", "bytes 0-1/*")) == "bytes=0-1"
    abandoned_id = abandoned.rsplit("upload_id=", 1)[1]
    a_day_ago = time.time() - 24 * 3600 - 60
    for path in (storage_dir / "uploads").glob(f"{abandoned_id}.*"):
        os.utime(path, (a_day_ago, a_day_ago))

    assert resumable.expire_sessions() == [abandoned_id]
    assert list((storage_dir / "uploads").glob(f"{abandoned_id}.*")) == []
    gone = put(abandoned, b"2\n", "bytes 2-3/4")
    assert gone.status_code == 404
    assert gone.json()["error"]["message"] == f"Not found: Upload session {abandoned_id}"
    assert put(active, b"2\n", "bytes 2-3/4").status_code == 200

    settings.QUARRY_UPLOAD_SESSION_IDLE_S = 3600
    idle = start(live_server.url, "idle").rsplit("upload_id=", 1)[1]
    assert idle not in resumable.expire_sessions(timezone.now() + dt.timedelta(minutes=59))
    assert idle in resumable.expire_sessions(timezone.now() + dt.timedelta(minutes=61))
    assert not Table.objects.filter(table_id="idle").exists()
