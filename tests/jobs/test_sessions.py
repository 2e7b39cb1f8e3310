"""Sessions end after a day without a job, and take their temporary tables with them."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from django.utils import timezone

from console.catalog import storage
from console.catalog.models import Dataset, Project, Table
from console.engine import tables
from console.errors import InvalidError
from console.jobs import sessions
from console.jobs.models import Session
from console.jobs.submit import submit


def temp_table(session: Session) -> Table:
    dataset = Dataset.temporary(session.project, session.dataset_id, "US")
    schema = pa.schema([("x", pa.int64())])
    return tables.write_version(dataset, "t", schema, None, [pa.record_batch([[1, 2]], schema)])


@pytest.mark.django_db(transaction=True)
def test_it_ends_a_session_idle_for_a_day_and_drops_its_tables() -> None:
    project = Project.default()
    idle = Session.objects.create(project=project)
    busy = Session.objects.create(project=project)
    path = temp_table(idle).data_path
    Session.objects.filter(pk=idle.pk).update(
        last_activity=timezone.now() - sessions.IDLE_LIFETIME - dt.timedelta(minutes=1)
    )
    assert sessions.expire() == 1
    idle.refresh_from_db()
    assert idle.state == Session.State.TERMINATED and idle.ended is not None
    assert not Dataset.objects.filter(dataset_id=idle.dataset_id).exists()
    assert not storage.resolve(path).exists()
    assert Session.objects.get(pk=busy.pk).active
    config = {
        "query": {
            "query": "SELECT 1",
            "connectionProperties": [{"key": "session_id", "value": idle.session_id}],
        }
    }
    with pytest.raises(InvalidError, match="has terminated"):
        submit(None, project, config)


@pytest.mark.django_db(transaction=True)
def test_it_ends_a_lapsed_session_its_next_job_names() -> None:
    project = Project.default()
    session = Session.objects.create(project=project)
    Session.objects.filter(pk=session.pk).update(
        created=timezone.now() - sessions.MAX_LIFETIME - dt.timedelta(minutes=1)
    )
    with pytest.raises(InvalidError, match=f"Session {session.session_id} has terminated"):
        sessions.usable(None, project, session.session_id)
    assert Session.objects.get(pk=session.pk).state == Session.State.TERMINATED


@pytest.mark.django_db
def test_it_reserves_the_hidden_dataset_names() -> None:
    with pytest.raises(InvalidError, match="reserved for the temporary tables"):
        Dataset.create(Project.default(), "_session_mine")
