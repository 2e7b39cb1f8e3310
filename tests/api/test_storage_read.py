"""The Storage Read API over gRPC with TLS, driven by the real google-cloud-bigquery-storage client
(and google-cloud-bigquery's to_dataframe through it) against a live Quarry."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from google.api_core import exceptions
from google.cloud import bigquery, bigquery_storage
from google.oauth2.credentials import Credentials
from google.protobuf import timestamp_pb2

from console.catalog.models import Dataset, Project, Table
from console.engine import tables
from console.iam.models import ApiKey, RoleBinding
from tests.api.conftest import StorageApi

PROJECT = "local-project"
ARROW = bigquery_storage.types.DataFormat.ARROW
AVRO = bigquery_storage.types.DataFormat.AVRO


def _numbers(n: int, offset: int = 0) -> pa.Table:
    ids = range(offset, offset + n)
    return pa.table(
        {
            "user_id": pa.array(ids, pa.int64()),
            "item_id": pa.array([i % 97 for i in ids], pa.int64()),
            "predicted_rating": pa.array([(i % 50) / 10 for i in ids], pa.float64()),
        }
    )


def _store(table_id: str, data: pa.Table, dataset_id: str = "bqml_tutorial") -> Table:
    project = Project.default()
    dataset = Dataset.objects.filter(project=project, dataset_id=dataset_id).first()
    dataset = dataset or Dataset.create(project, dataset_id)
    return tables.write_version(dataset, table_id, data.schema, None, data.to_batches())


def _path(table_id: str, dataset_id: str = "bqml_tutorial") -> str:
    return f"projects/{PROJECT}/datasets/{dataset_id}/tables/{table_id}"


def _session(
    client: bigquery_storage.BigQueryReadClient,
    table_id: str,
    streams: int = 1,
    data_format: Any = ARROW,
    **read_session: Any,
) -> Any:
    return client.create_read_session(
        parent=f"projects/{PROJECT}",
        read_session=bigquery_storage.types.ReadSession(
            table=_path(table_id), data_format=data_format, **read_session
        ),
        max_stream_count=streams,
    )


def _frame(client: bigquery_storage.BigQueryReadClient, session: Any) -> pd.DataFrame:
    frames = [client.read_rows(s.name).rows(session).to_dataframe() for s in session.streams]
    return pd.concat(frames, ignore_index=True)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_it_reads_a_table_into_pandas_as_the_rest_path_does(
    bq: bigquery.Client, storage_api: StorageApi
) -> None:
    _store("recommend", _numbers(30_000))
    client = storage_api.client()
    before = len(storage_api.servicer.sessions.streams)
    fast = bq.list_rows(f"{PROJECT}.bqml_tutorial.recommend").to_dataframe(bqstorage_client=client)
    assert len(storage_api.servicer.sessions.streams) > before, "the read went over REST"
    slow = bq.list_rows(f"{PROJECT}.bqml_tutorial.recommend").to_dataframe(
        create_bqstorage_client=False
    )
    assert len(fast) == 30_000
    pd.testing.assert_frame_equal(_sorted(fast), _sorted(slow))


def test_it_reads_a_query_result_through_its_anonymous_table(
    bq: bigquery.Client, storage_api: StorageApi
) -> None:
    _store("recommend", _numbers(50_000))
    sql = "SELECT user_id, predicted_rating FROM bqml_tutorial.recommend WHERE item_id < 90"
    before = len(storage_api.servicer.sessions.streams)
    fast = bq.query(sql).to_dataframe(bqstorage_client=storage_api.client())
    assert len(storage_api.servicer.sessions.streams) > before, "the read went over REST"
    slow = bq.query(sql).to_dataframe(create_bqstorage_client=False)
    assert len(fast) == len(slow) > 20_000
    pd.testing.assert_frame_equal(_sorted(fast), _sorted(slow))


def test_it_reads_only_the_selected_fields(bq: bigquery.Client, storage_api: StorageApi) -> None:
    _store("recommend", _numbers(100))
    frame = bq.list_rows(
        f"{PROJECT}.bqml_tutorial.recommend",
        selected_fields=[bigquery.SchemaField("predicted_rating", "FLOAT64")],
    ).to_dataframe(bqstorage_client=storage_api.client())
    assert list(frame.columns) == ["predicted_rating"]
    assert len(frame) == 100


def test_it_filters_rows_with_a_row_restriction(storage_api: StorageApi) -> None:
    _store("recommend", _numbers(1000))
    client = storage_api.client()
    options = bigquery_storage.types.ReadSession.TableReadOptions(
        selected_fields=["user_id"], row_restriction="item_id = 3 AND predicted_rating >= 1"
    )
    session = _session(client, "recommend", 2, read_options=options)
    frame = _sorted(_frame(client, session))
    expected = [i for i in range(1000) if i % 97 == 3 and (i % 50) >= 10]
    assert frame["user_id"].tolist() == expected


@pytest.mark.parametrize(
    ("restriction", "message"),
    [
        ("user_id IN (SELECT user_id FROM bqml_tutorial.secret)", "may not contain a subquery"),
        ("LOAD_FILE('/etc/passwd') = ''", "Function not found: LOAD_FILE"),
        ("salary > 0", "Unrecognized name: salary"),
        ("1 = 1; DROP TABLE bqml_tutorial.recommend", "not a SQL boolean expression"),
    ],
)
def test_it_refuses_a_row_restriction_that_is_not_a_check_of_the_tables_columns(
    storage_api: StorageApi, restriction: str, message: str
) -> None:
    _store("recommend", _numbers(10))
    options = bigquery_storage.types.ReadSession.TableReadOptions(row_restriction=restriction)
    with pytest.raises(exceptions.InvalidArgument, match=message):
        _session(storage_api.client(), "recommend", read_options=options)
    assert Table.objects.filter(table_id="recommend").exists()


def test_it_reads_the_version_current_at_the_snapshot_time(storage_api: StorageApi) -> None:
    first = _store("recommend", _numbers(10))
    between = timezone.now()
    tables.write_next_version(first, _numbers(25).schema, _numbers(25).to_batches())
    client = storage_api.client()
    snapshot = timestamp_pb2.Timestamp()
    snapshot.FromDatetime(between)
    modifiers = bigquery_storage.types.ReadSession.TableModifiers(snapshot_time=snapshot)
    assert len(_frame(client, _session(client, "recommend", table_modifiers=modifiers))) == 10
    assert len(_frame(client, _session(client, "recommend"))) == 25


def test_it_gives_several_streams_that_cover_every_row_once(storage_api: StorageApi) -> None:
    _store("recommend", _numbers(3 * tables.ROW_GROUP_ROWS + 7))
    client = storage_api.client()
    session = _session(client, "recommend", streams=3)
    assert len(session.streams) == 3
    assert session.estimated_row_count == 3 * tables.ROW_GROUP_ROWS + 7
    ids = _frame(client, session)["user_id"]
    assert sorted(ids.tolist()) == list(range(3 * tables.ROW_GROUP_ROWS + 7))


def test_it_resumes_a_stream_at_an_offset_and_splits_one_in_two(storage_api: StorageApi) -> None:
    _store("recommend", _numbers(1000))
    client = storage_api.client()
    session = _session(client, "recommend")
    stream = session.streams[0].name
    rest = client.read_rows(stream, offset=990).rows(session).to_dataframe()
    assert rest["user_id"].tolist() == list(range(990, 1000))
    split = client.split_read_stream(request={"name": stream, "fraction": 0.25})
    halves = [
        client.read_rows(s.name).rows(session).to_dataframe()["user_id"].tolist()
        for s in (split.primary_stream, split.remainder_stream)
    ]
    assert halves == [list(range(250)), list(range(250, 1000))]


def test_it_reads_avro_as_it_reads_arrow(storage_api: StorageApi) -> None:
    data = pa.table(
        {
            "id": pa.array([1, 2, None], pa.int64()),
            "name": pa.array(["a", None, "ç"], pa.string()),
            "ok": pa.array([True, False, None]),
            "day": pa.array([dt.date(2024, 1, 2), None, dt.date(1999, 12, 31)]),
            "at": pa.array(
                [dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), None, None],
                pa.timestamp("us", tz="UTC"),
            ),
            "local": pa.array([dt.datetime(2024, 5, 6, 7, 8, 9), None, None], pa.timestamp("us")),
            "price": pa.array([decimal.Decimal("1.5"), None, None], pa.decimal128(38, 9)),
            "tags": pa.array([["x", "y"], [], None], pa.list_(pa.string())),
            "s": pa.array([{"a": 1, "b": "q"}, None, {"a": None, "b": "r"}]),
        }
    )
    _store("mixed", data)
    client = storage_api.client()
    session = _session(client, "mixed", data_format=AVRO)
    assert '"logicalType": "timestamp-micros"' in session.avro_schema.schema
    rows = list(client.read_rows(session.streams[0].name).rows(session))
    assert rows[0]["id"] == 1 and rows[0]["name"] == "a" and rows[0]["ok"] is True
    assert rows[0]["day"] == dt.date(2024, 1, 2)
    assert rows[0]["at"] == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert rows[0]["local"] == "2024-05-06T07:08:09"
    assert rows[0]["price"] == decimal.Decimal("1.5")
    assert rows[0]["tags"] == ["x", "y"] and rows[2]["tags"] == []
    assert rows[0]["s"] == {"a": 1, "b": "q"}
    assert rows[1]["name"] is None and rows[2]["s"] == {"a": None, "b": "r"}
    arrow = client.read_rows(_session(client, "mixed").streams[0].name).to_arrow()
    assert arrow.column("id").to_pylist() == [r["id"] for r in rows]


def test_it_answers_not_found_for_an_unknown_table(storage_api: StorageApi) -> None:
    Dataset.create(Project.default(), "bqml_tutorial")
    with pytest.raises(exceptions.NotFound, match="Not found: Table local-project:bqml_tutorial.x"):
        _session(storage_api.client(), "x")
    with pytest.raises(exceptions.NotFound, match="Not found: stream"):
        list(
            storage_api.client().read_rows(f"projects/{PROJECT}/locations/us/sessions/a/streams/b")
        )


def _user_with_key(name: str, role: str | None) -> Credentials:
    user = get_user_model().objects.create_user(name, f"{name}@example.com", "pw-" + name)
    if role:
        RoleBinding.grant(Project.default(), user, role)
    return Credentials(token=ApiKey.issue(user, "storage")[1])


def test_it_checks_iam_as_bigquery_does(storage_api: StorageApi, settings: Any) -> None:
    settings.QUARRY_ANONYMOUS_ACCESS = False
    _store("recommend", _numbers(10))
    with pytest.raises(exceptions.Unauthenticated, match="missing required authentication"):
        _session(storage_api.client(), "recommend")
    # Data Viewer may read the table, but may not create read sessions in the project.
    viewer = storage_api.client(_user_with_key("vera", "roles/bigquery.dataViewer"))
    with pytest.raises(exceptions.PermissionDenied, match="bigquery.readsessions.create"):
        _session(viewer, "recommend")
    # BigQuery User may create sessions, but not read this table's data.
    user = storage_api.client(_user_with_key("ursula", "roles/bigquery.user"))
    with pytest.raises(exceptions.PermissionDenied, match="bigquery.tables.getData"):
        _session(user, "recommend")
    admin = storage_api.client(_user_with_key("ada", "roles/bigquery.admin"))
    session = _session(admin, "recommend")
    assert len(_frame(admin, session)) == 10
    # A stream's name is no key: a caller without the table's data cannot read it.
    with pytest.raises(exceptions.PermissionDenied):
        list(user.read_rows(session.streams[0].name))


def test_it_keeps_a_query_result_to_the_user_who_ran_it(
    bq: bigquery.Client, storage_api: StorageApi
) -> None:
    job = bq.query("SELECT 1 AS x")
    job.result()
    destination = job.destination
    other = storage_api.client(_user_with_key("mallory", "roles/bigquery.admin"))
    table = f"projects/{PROJECT}/datasets/{destination.dataset_id}/tables/{destination.table_id}"
    with pytest.raises(exceptions.PermissionDenied, match="Access Denied"):
        other.create_read_session(
            parent=f"projects/{PROJECT}",
            read_session=bigquery_storage.types.ReadSession(table=table, data_format=ARROW),
        )
    mine = storage_api.client().create_read_session(
        parent=f"projects/{PROJECT}",
        read_session=bigquery_storage.types.ReadSession(table=table, data_format=ARROW),
    )
    assert mine.estimated_row_count == 1
