"""The clients BigQuery users already use, unchanged but for the endpoint: SQLAlchemy, pandas-gbq,
the notebooks' %%bigquery magic."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from sqlalchemy import orm

from console.catalog.models import Table
from tests.api.conftest import StorageApi

pytestmark = pytest.mark.worker
PROJECT = "local-project"


@pytest.fixture
def shop(bq: bigquery.Client) -> bigquery.Client:
    bq.create_dataset("shop")
    bq.query_and_wait(
        "CREATE TABLE shop.items AS SELECT x AS id, CONCAT('item ', CAST(x AS STRING)) AS name, "
        "x * 1.5 AS price FROM UNNEST(GENERATE_ARRAY(1, 10)) AS x"
    )
    return bq


@pytest.fixture
def engine(live_server, shop: bigquery.Client) -> sa.Engine:
    """A SQLAlchemy engine of sqlalchemy-bigquery, its client pointed at the live server."""
    client = bigquery.Client(
        project=PROJECT,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": live_server.url},
        default_query_job_config=bigquery.QueryJobConfig(default_dataset=f"{PROJECT}.shop"),
    )
    return sa.create_engine(
        f"bigquery://{PROJECT}/shop?user_supplied_client=true", connect_args={"client": client}
    )


def test_it_serves_sqlalchemy_core_orm_and_to_sql(engine: sa.Engine) -> None:
    items = sa.Table("items", sa.MetaData(), autoload_with=engine)
    assert [c.name for c in items.columns] == ["id", "name", "price"]
    with engine.connect() as connection:
        # sqlalchemy-bigquery binds every literal as a query parameter.
        rows = connection.execute(
            sa.select(items.c.name).where(items.c.price > 10, items.c.name != "x").order_by("id")
        ).all()
        assert [r.name for r in rows] == ["item 7", "item 8", "item 9", "item 10"]
        text = sa.text("SELECT COUNT(*) AS n FROM items WHERE id BETWEEN :low AND :high")
        assert connection.execute(text, {"low": 2, "high": 4}).scalar() == 3
    with engine.begin() as connection:
        connection.execute(items.insert().values(id=99, name="it's new", price=0.5))

    class Base(orm.DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "items"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str]
        price: orm.Mapped[float]

    with orm.Session(engine) as session:
        found = session.scalars(sa.select(Item).where(Item.id == 99)).one()
        assert (found.name, found.price) == ("it's new", 0.5)
    frame = pd.DataFrame({"sku": ["a", "b"], "qty": [3, 4]})
    frame.to_sql("stock", engine, if_exists="replace", index=False)
    assert Table.objects.get(table_id="stock").num_rows == 2
    back = pd.read_sql("SELECT sku, qty FROM stock ORDER BY sku", engine)
    assert back.to_dict("records") == [{"sku": "a", "qty": 3}, {"sku": "b", "qty": 4}]


def test_it_serves_pandas_gbq_with_parameters(
    live_server, shop: bigquery.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas_gbq

    # The one line that points google-cloud-bigquery (and so pandas-gbq) at Quarry.
    monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", live_server.url)
    frame = pandas_gbq.read_gbq(
        "SELECT id, name FROM shop.items WHERE id < @n ORDER BY id",
        project_id=PROJECT,
        credentials=AnonymousCredentials(),
        configuration={
            "query": {
                "parameterMode": "NAMED",
                "queryParameters": [
                    {
                        "name": "n",
                        "parameterType": {"type": "INT64"},
                        "parameterValue": {"value": "3"},
                    }
                ],
            }
        },
        progress_bar_type=None,
    )
    assert frame.to_dict("records") == [{"id": 1, "name": "item 1"}, {"id": 2, "name": "item 2"}]
    pandas_gbq.to_gbq(
        pd.DataFrame({"k": [1, 2, 3]}),
        "shop.written",
        project_id=PROJECT,
        credentials=AnonymousCredentials(),
        progress_bar=False,
    )
    assert Table.objects.get(table_id="written").num_rows == 3


def test_it_serves_the_bigquery_cell_magic_with_params(
    live_server, shop: bigquery.Client, storage_api: StorageApi
) -> None:
    import bigquery_magics
    from google.api_core.client_options import ClientOptions
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    shell.extension_manager.load_extension("bigquery_magics")
    bigquery_magics.context.project = PROJECT
    bigquery_magics.context.credentials = AnonymousCredentials()
    bigquery_magics.context.bigquery_client_options = ClientOptions(api_endpoint=live_server.url)
    # With google-cloud-bigquery-storage installed the magic reads results over gRPC.
    bigquery_magics.context.bqstorage_client_options = ClientOptions(
        api_endpoint=storage_api.endpoint
    )
    bigquery_magics.context.progress_bar_type = None
    streams = len(storage_api.servicer.sessions.streams)
    shell.run_cell_magic(
        "bigquery",
        'cheap --params {"limit": 4.5, "prefix": "item"}',
        "SELECT name FROM shop.items WHERE price < @limit AND STARTS_WITH(name, @prefix) "
        "ORDER BY id",
    )
    assert shell.user_ns["cheap"]["name"].tolist() == ["item 1", "item 2"]
    assert len(storage_api.servicer.sessions.streams) > streams, "the magic read over REST"


def test_it_runs_ibis_expressions(
    live_server, shop: bigquery.Client, storage_api: StorageApi
) -> None:
    ibis = pytest.importorskip("ibis")

    client = bigquery.Client(
        project=PROJECT,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": live_server.url},
    )
    con = ibis.bigquery.connect(
        client=client, storage_client=storage_api.client(), dataset_id=f"{PROJECT}.shop"
    )
    items = con.table("items")
    cheap = (
        items.filter(items.price < 6)
        .group_by(even=items.id % 2 == 0)
        .aggregate(n=items.id.count(), total=items.price.sum())
        .order_by("even")
    )
    assert cheap.execute().to_dict("records") == [
        {"even": False, "n": 2, "total": 6.0},
        {"even": True, "n": 1, "total": 3.0},
    ]
    named = con.sql("SELECT name, price FROM shop.items WHERE id <= 2 ORDER BY id")
    assert named.execute()["name"].tolist() == ["item 1", "item 2"]
