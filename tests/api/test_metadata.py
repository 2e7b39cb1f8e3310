"""Labels, friendly names, partitioning, clustering and expirations round-trip through the real
google-cloud-bigquery client, and a bad value is refused changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

from console.catalog.models import Dataset, MLModel, Project, Table
from tests.api.conftest import make_client

SCHEMA = [
    bigquery.SchemaField("id", "INT64", mode="REQUIRED"),
    bigquery.SchemaField("kind", "STRING"),
    bigquery.SchemaField("ts", "TIMESTAMP"),
    bigquery.SchemaField("score", "FLOAT64"),
]


@pytest.fixture(autouse=True)
def shop(transactional_db: None) -> Dataset:
    return Dataset.create(Project.default(), "shop")


@pytest.fixture
def client(live_server) -> bigquery.Client:
    return make_client(live_server.url)


def test_it_keeps_and_shows_a_tables_metadata(client: bigquery.Client) -> None:
    table = bigquery.Table(f"{client.project}.shop.events", schema=SCHEMA)
    table.time_partitioning = bigquery.TimePartitioning(
        type_=bigquery.TimePartitioningType.HOUR, field="ts", expiration_ms=86_400_000
    )
    table.clustering_fields = ["kind", "id"]
    table.labels = {"team": "ml", "env": "dev"}
    table.friendly_name = "Events"
    table.description = "Every event"
    table.expires = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    table.require_partition_filter = True
    client.create_table(table)

    got = client.get_table("shop.events")
    assert got.time_partitioning.type_ == "HOUR"
    assert got.time_partitioning.field == "ts"
    assert got.time_partitioning.expiration_ms == 86_400_000
    assert got.clustering_fields == ["kind", "id"]
    assert got.labels == {"team": "ml", "env": "dev"}
    assert (got.friendly_name, got.description) == ("Events", "Every event")
    assert got.expires == dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    assert got.require_partition_filter is True
    listed = next(iter(client.list_tables("shop")))
    assert (listed.labels, listed.clustering_fields) == (
        {"team": "ml", "env": "dev"},
        ["kind", "id"],
    )
    assert listed.time_partitioning.field == "ts"


def test_it_reads_the_deprecated_require_partition_filter_of_time_partitioning(
    client: bigquery.Client,
) -> None:
    table = bigquery.Table(f"{client.project}.shop.events", schema=SCHEMA)
    table.time_partitioning = bigquery.TimePartitioning(field="ts")
    table.time_partitioning._properties["requirePartitionFilter"] = True
    client.create_table(table)
    assert client.get_table("shop.events").require_partition_filter is True


def test_it_keeps_range_partitioning(client: bigquery.Client) -> None:
    table = bigquery.Table(f"{client.project}.shop.ranged", schema=SCHEMA)
    table.range_partitioning = bigquery.RangePartitioning(
        field="id", range_=bigquery.PartitionRange(start=0, end=100, interval=10)
    )
    client.create_table(table)
    got = client.get_table("shop.ranged").range_partitioning
    assert (got.field, got.range_.start, got.range_.end, got.range_.interval) == ("id", 0, 100, 10)


def test_it_patches_labels_setting_and_deleting_keys(client: bigquery.Client) -> None:
    table = bigquery.Table(f"{client.project}.shop.events", schema=SCHEMA)
    table.labels = {"team": "ml", "env": "dev"}
    table = client.create_table(table)

    table.labels["env"] = None
    table.labels["tier"] = "gold"
    table = client.update_table(table, ["labels"])

    assert table.labels == {"team": "ml", "tier": "gold"}
    assert Table.objects.get(table_id="events").labels == {"team": "ml", "tier": "gold"}


def test_it_changes_clustering_and_friendly_name(client: bigquery.Client) -> None:
    table = client.create_table(bigquery.Table(f"{client.project}.shop.events", schema=SCHEMA))
    table.clustering_fields = ["ts"]
    table.friendly_name = "Events"
    table = client.update_table(table, ["clustering_fields", "friendly_name"])
    assert (table.clustering_fields, table.friendly_name) == (["ts"], "Events")
    table.clustering_fields = None
    assert client.update_table(table, ["clustering_fields"]).clustering_fields is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timePartitioning": {"type": "WEEK"}}, "WEEK is not a valid value"),
        ({"timePartitioning": {"field": "kind"}}, "The type found is: STRING"),
        ({"timePartitioning": {"field": "nope"}}, "cannot be found in the schema: nope"),
        (
            {
                "rangePartitioning": {
                    "field": "score",
                    "range": {"start": 0, "end": 9, "interval": 1},
                }
            },
            "can only be of type INTEGER",
        ),
        ({"clustering": {"fields": ["id", "kind", "ts", "id", "kind"]}}, "Too many clustering"),
        ({"clustering": {"fields": ["score"]}}, "not supported for clustering"),
        ({"labels": {"Team": "ml"}}, 'Invalid label key "Team"'),
        ({"labels": {"team": "M L"}}, 'Invalid label value "M L"'),
    ],
)
def test_it_refuses_bad_metadata_creating_nothing(
    client: bigquery.Client, change: dict, message: str
) -> None:
    table = bigquery.Table(f"{client.project}.shop.bad", schema=SCHEMA)
    table._properties.update(change)
    with pytest.raises(BadRequest, match=message):
        client.create_table(table)
    assert not Table.objects.filter(table_id="bad").exists()


def test_it_refuses_a_bad_patch_changing_nothing(client: bigquery.Client) -> None:
    table = bigquery.Table(f"{client.project}.shop.events", schema=SCHEMA)
    table.labels = {"team": "ml"}
    table = client.create_table(table)
    table.labels = {"team": "ai", "Bad": "x"}
    table.description = "changed"
    with pytest.raises(BadRequest, match='Invalid label key "Bad"'):
        client.update_table(table, ["labels", "description"])
    stored = Table.objects.get(table_id="events")
    assert (stored.labels, stored.description) == ({"team": "ml"}, "")


def test_it_refuses_partitioning_a_table_that_was_not(client: bigquery.Client) -> None:
    table = client.create_table(bigquery.Table(f"{client.project}.shop.events", schema=SCHEMA))
    table.time_partitioning = bigquery.TimePartitioning(field="ts")
    with pytest.raises(BadRequest, match="Cannot convert non partitioned table"):
        client.update_table(table, ["time_partitioning"])


def test_it_widens_a_schema_through_update_table(client: bigquery.Client) -> None:
    client.create_table(bigquery.Table(f"{client.project}.shop.events", schema=SCHEMA))
    client.insert_rows_json("shop.events", [{"id": 1, "kind": "x"}])
    table = client.get_table("shop.events")
    table.schema = [
        bigquery.SchemaField("id", "INT64", mode="NULLABLE"),
        *SCHEMA[1:],
        bigquery.SchemaField("note", "STRING"),
    ]
    table = client.update_table(table, ["schema"])
    assert [f.name for f in table.schema] == ["id", "kind", "ts", "score", "note"]
    assert table.schema[0].mode == "NULLABLE"
    rows = list(client.list_rows("shop.events"))
    assert [(r["id"], r["note"]) for r in rows] == [(1, None)]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (SCHEMA[1:], "Provided Schema does not match Table local-project:shop.events. Field id is"),
        (
            [bigquery.SchemaField("id", "STRING", mode="REQUIRED"), *SCHEMA[1:]],
            "Field id has changed type from INT64 to STRING",
        ),
        (
            [*SCHEMA, bigquery.SchemaField("must", "STRING", mode="REQUIRED")],
            "Cannot add required fields to an existing schema",
        ),
    ],
)
def test_it_refuses_a_schema_that_does_not_only_widen(
    client: bigquery.Client, schema: list, message: str
) -> None:
    table = client.create_table(bigquery.Table(f"{client.project}.shop.events", schema=SCHEMA))
    table.schema = schema
    with pytest.raises(BadRequest, match=message):
        client.update_table(table, ["schema"])
    assert [f["name"] for f in Table.objects.get(table_id="events").schema] == [
        "id",
        "kind",
        "ts",
        "score",
    ]


def test_it_keeps_a_datasets_metadata(client: bigquery.Client) -> None:
    dataset = bigquery.Dataset(f"{client.project}.sales")
    dataset.labels = {"env": "dev"}
    dataset.friendly_name = "Sales"
    dataset.description = "All sales"
    dataset.default_table_expiration_ms = 7_200_000
    dataset.default_partition_expiration_ms = 86_400_000
    client.create_dataset(dataset)

    got = client.get_dataset("sales")
    assert (got.labels, got.friendly_name, got.description) == (
        {"env": "dev"},
        "Sales",
        "All sales",
    )
    assert (got.default_table_expiration_ms, got.default_partition_expiration_ms) == (
        7_200_000,
        86_400_000,
    )
    got.labels["env"] = None
    got.labels["tier"] = "gold"
    assert client.update_dataset(got, ["labels"]).labels == {"tier": "gold"}
    bad = bigquery.Dataset(f"{client.project}.bad")
    bad.labels = {"9lives": "x"}
    with pytest.raises(BadRequest, match='Invalid label key "9lives"'):
        client.create_dataset(bad)
    assert not Dataset.objects.filter(dataset_id="bad").exists()


def test_it_patches_a_models_labels_friendly_name_and_expiration(client: bigquery.Client) -> None:
    dataset = Dataset.objects.get(dataset_id="shop")
    MLModel.objects.create(
        dataset=dataset, model_id="mf", artifact_path="models/mf", state=MLModel.State.READY
    )
    model = client.get_model("shop.mf")
    model.labels = {"stage": "prod"}
    model.friendly_name = "Recommender"
    model.expires = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    model = client.update_model(model, ["labels", "friendly_name", "expires"])

    assert model.labels == {"stage": "prod"}
    assert model.friendly_name == "Recommender"
    assert model.expires == dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    assert next(iter(client.list_models("shop"))).labels == {"stage": "prod"}
    model.labels["stage"] = None
    assert client.update_model(model, ["labels"]).labels == {}


def test_it_runs_partitioned_ddl_and_alter_through_queries(
    live_server, worker: None, transactional_db: None
) -> None:
    client = make_client(live_server.url)
    client.query(
        "CREATE TABLE shop.events (id INT64, ts TIMESTAMP) PARTITION BY DATE(ts) "
        "CLUSTER BY id OPTIONS(labels=[('team', 'ml')])"
    ).result()
    job = client.query(
        "ALTER TABLE shop.events ADD COLUMN note STRING, SET OPTIONS(friendly_name='Events')"
    )
    job.result()

    assert job.statement_type == "ALTER_TABLE"
    table = client.get_table("shop.events")
    assert (table.time_partitioning.type_, table.time_partitioning.field) == ("DAY", "ts")
    assert (table.clustering_fields, table.labels) == (["id"], {"team": "ml"})
    assert (table.friendly_name, [f.name for f in table.schema]) == ("Events", ["id", "ts", "note"])


def test_it_keeps_the_partitioning_and_clustering_a_load_gives_a_new_table(
    live_server, worker: None, transactional_db: None
) -> None:
    client = make_client(live_server.url)
    config = bigquery.LoadJobConfig(
        schema=SCHEMA,
        time_partitioning=bigquery.TimePartitioning(field="ts"),
        clustering_fields=["kind"],
        destination_table_description="Loaded events",
        destination_table_friendly_name="Events",
    )
    rows = [{"id": 1, "kind": "x", "ts": "2024-01-01 00:00:00"}]
    client.load_table_from_json(rows, "shop.events", job_config=config).result()

    table = client.get_table("shop.events")
    assert (table.time_partitioning.field, table.clustering_fields) == ("ts", ["kind"])
    assert (table.description, table.friendly_name, table.num_rows) == (
        "Loaded events",
        "Events",
        1,
    )

    config.clustering_fields = ["id"]
    with pytest.raises(BadRequest, match="Incompatible table clustering specification"):
        client.load_table_from_json(rows, "shop.events", job_config=config).result()
    assert client.get_table("shop.events").num_rows == 1
