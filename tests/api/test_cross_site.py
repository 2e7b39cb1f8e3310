"""A page on another site cannot drive the REST API; programs and trusted origins still can.

The browser tests serve a hostile page from another port of 127.0.0.1 (so another origin) and let
a real Chromium send what any page may send without asking: "simple" no-cors POSTs with text/plain,
form-encoded and multipart bodies, and a classic form post.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from console.catalog.models import Dataset, Project, Table
from console.jobs.models import Job
from console.settings import checked_origins
from tests.api.test_bad_requests import _multipart
from tests.web.browser import chromium

PROJECT = "local-project"
API = f"/bigquery/v2/projects/{PROJECT}"
UPLOAD = f"/upload/bigquery/v2/projects/{PROJECT}/jobs"
LOAD = {
    "configuration": {
        "load": {
            "destinationTable": {"projectId": PROJECT, "datasetId": "ds", "tableId": "t"},
            "sourceFormat": "CSV",
            "schema": {"fields": [{"name": "x", "type": "INTEGER"}]},
        }
    }
}

HOSTILE_PAGE = """<!doctype html>
<title>loading</title>
<iframe name="sink"></iframe>
<form method="post" enctype="text/plain" target="sink" action="API/queries">
  <input name='{"query":"CREATE TABLE ds.from_form_post AS SELECT 1","requestId":"' value='"}'>
</form>
<script>
const api = "API";
const sql = (t) => "CREATE TABLE ds." + t + " AS SELECT 1 AS x";
const job = (t) => JSON.stringify({configuration: {query: {query: sql(t), useLegacySql: false}}});
const query = (t) => JSON.stringify({query: sql(t), useLegacySql: false});
const table = (t) => JSON.stringify({tableReference: {projectId: "PROJECT", datasetId: "ds",
  tableId: t}, schema: {fields: [{name: "x", type: "INTEGER"}]}});
function post(path, type, body, mode) {
  const headers = type ? {"Content-Type": type} : {};
  return fetch(api + path, {method: "POST", mode: mode || "no-cors", headers: headers, body: body})
    .then(() => "sent", () => "blocked");
}
const sunk = new Promise((resolve) => {
  document.querySelector("iframe").addEventListener("load", () => resolve("sent"));
  setTimeout(() => resolve("timed out"), 20000);
});
document.querySelector("form").submit();
Promise.all([
  post("/jobs", "text/plain", job("from_text_plain")),
  post("/queries", "application/x-www-form-urlencoded", query("from_form_encoded")),
  post("/queries", "multipart/form-data; boundary=x", query("from_multipart")),
  post("/jobs", null, new Blob([job("from_untyped_blob")])),
  post("/datasets/ds/tables", "text/plain", table("from_tables_insert")),
  post("/datasets", "text/plain", JSON.stringify({datasetReference: {datasetId: "hostile"}})),
  post("/queries", "application/json", query("from_cors_json"), "cors"),
  sunk,
]).then((outcomes) => { window.outcomes = outcomes; document.title = "done"; });
</script>
"""

TRUSTED_PAGE = """<!doctype html>
<title>loading</title>
<script>
fetch("API/datasets", {method: "POST", headers: {"Content-Type": "application/json"},
  body: JSON.stringify({datasetReference: {datasetId: "from_trusted_app"}})})
  .then((r) => r.json())
  .then((made) => { document.title = made.id; }, () => { document.title = "refused"; });
</script>
"""


@contextlib.contextmanager
def _site(html: str) -> Iterator[str]:
    """Serve one page from a new port of 127.0.0.1 and yield its URL."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _api_url(live_server: Any) -> str:
    # The console on 127.0.0.1 as the attack found it: the page is another port there.
    return live_server.url.replace("localhost", "127.0.0.1") + API


@pytest.mark.browser
@pytest.mark.worker
def test_it_lets_no_hostile_page_create_a_job_or_table(
    live_server: Any, worker: None, transactional_db: None
) -> None:
    dataset = Dataset.create(Project.default(), "ds")
    page_html = HOSTILE_PAGE.replace("API", _api_url(live_server)).replace("PROJECT", PROJECT)
    with _site(page_html) as site, chromium() as context:
        page = context.new_page()
        page.goto(site)
        page.wait_for_function("document.title === 'done'", timeout=90_000)
        outcomes = page.evaluate("window.outcomes")

    # No-cors requests leave the page, whatever the server does with them; the CORS one asks
    # first and is stopped by the browser when the preflight is refused.
    assert outcomes == ["sent"] * 6 + ["blocked", "sent"]
    assert list(Job.objects.values_list("job_id", flat=True)) == []
    assert list(Table.objects.filter(dataset=dataset).values_list("table_id", flat=True)) == []
    assert list(Dataset.objects.values_list("dataset_id", flat=True)) == ["ds"]


@pytest.mark.browser
def test_it_lets_a_page_on_a_trusted_origin_call_the_api_and_read_the_answer(
    live_server: Any, transactional_db: None, settings: Any
) -> None:
    Project.default()
    page_html = TRUSTED_PAGE.replace("API", _api_url(live_server))
    with _site(page_html) as site, chromium() as context:
        settings.QUARRY_TRUSTED_ORIGINS = [site]
        page = context.new_page()
        page.goto(site)
        page.wait_for_function("document.title !== 'loading'", timeout=30_000)
        title = page.title()

    assert title == f"{PROJECT}:from_trusted_app"
    assert Dataset.objects.filter(dataset_id="from_trusted_app").exists()


# Plain HTTP: the rules themselves ----------------------------------------------------------

FOREIGN = "http://127.0.0.1:9"
TRUSTED = "http://app.example:8080"


def _error(response: Any) -> dict[str, Any]:
    body = response.json()["error"]
    assert body["code"] == response.status_code
    return body["errors"][0]


def _new_dataset(client: Client, content_type: str, **headers: str) -> Any:
    body = json.dumps({"datasetReference": {"datasetId": "made"}})
    return client.generic("POST", f"{API}/datasets", body, content_type=content_type, **headers)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_it_refuses_a_json_body_sent_as_another_type(
    client: Client, db: None, content_type: str
) -> None:
    Project.default()
    query = {"configuration": {"query": {"query": "CREATE TABLE ds.t AS SELECT 1"}}}
    r = client.generic("POST", f"{API}/jobs", json.dumps(query), content_type=content_type)

    assert r.status_code == 400
    shown = content_type.split(";")[0] or "(none)"
    assert _error(r)["message"] == (
        f"Unsupported content with type: {shown}. "
        "Send the request body as JSON, with Content-Type: application/json"
    )
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=UTF-8", "Application/JSON"]
)
def test_it_takes_json_with_or_without_a_charset(
    client: Client, db: None, content_type: str
) -> None:
    r = _new_dataset(client, content_type)

    assert r.status_code == 200
    assert Dataset.objects.filter(dataset_id="made").exists()


def test_it_refuses_a_resumable_upload_whose_metadata_is_not_json_typed(
    client: Client, db: None, storage_dir: Any
) -> None:
    Dataset.create(Project.default(), "ds")
    sessions = set((storage_dir / "uploads").glob("*.session.json"))
    r = client.post(f"{UPLOAD}?uploadType=resumable", json.dumps(LOAD), content_type="text/plain")

    assert r.status_code == 400 and "Location" not in r
    assert set((storage_dir / "uploads").glob("*.session.json")) == sessions


def _pending_job() -> Job:
    return Job.objects.create(
        project=Project.default(),
        job_type=Job.Type.QUERY,
        configuration={"query": {"query": "SELECT 1", "useLegacySql": False}},
    )


def test_it_still_cancels_a_job_with_a_bodyless_post(client: Client, db: None) -> None:
    job = _pending_job()
    r = client.generic("POST", f"{API}/jobs/{job.job_id}/cancel")

    assert r.status_code == 200
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.error_result["reason"] == "stopped"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": FOREIGN},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": FOREIGN, "HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
    ],
)
def test_it_refuses_what_a_page_on_another_site_sends(
    client: Client, db: None, headers: dict[str, str]
) -> None:
    job = _pending_job()
    made = _new_dataset(client, "application/json", **headers)
    cancel = client.post(f"{API}/jobs/{job.job_id}/cancel", **headers)
    listed = client.get(f"{API}/datasets", **headers)

    for r in (made, cancel, listed):
        assert r.status_code == 403
        assert _error(r)["reason"] == "accessDenied"
        assert "Cross-site request refused" in _error(r)["message"]
        assert "Access-Control-Allow-Origin" not in r
    assert not Dataset.objects.exists()
    job.refresh_from_db()
    assert job.state == Job.State.PENDING


def test_it_serves_a_page_of_its_own_origin(client: Client, db: None) -> None:
    r = _new_dataset(
        client,
        "application/json",
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert r.status_code == 200
    assert Dataset.objects.filter(dataset_id="made").exists()


def test_it_refuses_an_upload_from_a_page_on_another_site(
    client: Client, db: None, storage_dir: Any
) -> None:
    Dataset.create(Project.default(), "ds")
    sessions = set((storage_dir / "uploads").glob("*"))
    body, content_type = _multipart(LOAD, b"1")
    multipart = client.post(
        f"{UPLOAD}?uploadType=multipart",
        body,
        content_type=content_type,
        HTTP_ORIGIN=FOREIGN,
    )
    resumable = client.post(
        f"{UPLOAD}?uploadType=resumable",
        json.dumps(LOAD),
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="cross-site",
    )

    assert [multipart.status_code, resumable.status_code] == [403, 403]
    assert not Job.objects.exists()
    assert set((storage_dir / "uploads").glob("*")) == sessions


def test_it_serves_a_trusted_origin_with_cors(client: Client, db: None, settings: Any) -> None:
    settings.QUARRY_TRUSTED_ORIGINS = [TRUSTED]
    preflight = client.options(
        f"{API}/datasets",
        HTTP_ORIGIN=TRUSTED,
        HTTP_SEC_FETCH_SITE="cross-site",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
    )
    made = _new_dataset(client, "application/json", HTTP_ORIGIN=TRUSTED)

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == TRUSTED
    assert preflight["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert preflight["Access-Control-Allow-Headers"] == "authorization,content-type"
    assert made.status_code == 200 and made["Access-Control-Allow-Origin"] == TRUSTED
    assert "Origin" in made["Vary"]
    assert Dataset.objects.filter(dataset_id="made").exists()


def test_it_refuses_the_preflight_of_an_untrusted_origin(
    client: Client, db: None, settings: Any
) -> None:
    settings.QUARRY_TRUSTED_ORIGINS = [TRUSTED]
    r = client.options(
        f"{API}/datasets", HTTP_ORIGIN=FOREIGN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert r.status_code == 403 and _error(r)["reason"] == "accessDenied"
    assert "Access-Control-Allow-Origin" not in r


def test_it_answers_options_from_a_program_with_the_methods_allowed(
    client: Client, db: None
) -> None:
    r = client.options(f"{API}/jobs/some_job/cancel")

    assert r.status_code == 204 and r["Allow"] == "POST, OPTIONS"


def test_it_reads_trusted_origins_as_browsers_write_them() -> None:
    assert checked_origins("X", ["HTTPS://App.Example.com/", "http://[::1]:8080"]) == [
        "https://app.example.com",
        "http://[::1]:8080",
    ]


@pytest.mark.parametrize(
    "value", ["app.example.com", "https://", "https://app.example.com/path", "ftp://x", "*"]
)
def test_it_refuses_a_trusted_origin_it_cannot_read(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"X: '{re.escape(value)}' is not an origin"):
        checked_origins("X", [value])
