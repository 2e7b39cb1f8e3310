"""The BigQuery Storage Read API, `google.cloud.bigquery.storage.v1.BigQueryRead`, over gRPC.

Only the wire is here: the principal comes from the call's `authorization` metadata exactly as
the REST API reads its header (`decorators.principal_for`), tables resolve through the REST
API's lookups (`resources.get_table`, so a query's anonymous table is its owner's alone), and
`engine/reads` plans and streams the rows. Messages are the protobuf classes
google-cloud-bigquery-storage ships, used raw (not through proto-plus) to keep large batches
cheap.

Sessions live in this process, each under a random id, with a random id per stream: a name
encodes nothing a caller could change to read something else, and every ReadRows and
SplitReadStream checks the caller's permissions on the session's table again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
from django import db
from django.utils import timezone
from google.cloud.bigquery_storage_v1 import types

from console.api import resources
from console.api.decorators import principal_for
from console.api.errors import GRPC_STATUS, STATUS_FOR_REASON
from console.catalog.models import Table
from console.engine import reads
from console.engine.formats import avro
from console.errors import BigQueryError, InvalidError, NotFoundError
from console.iam.roles import (
    READSESSIONS_CREATE,
    READSESSIONS_GET_DATA,
    READSESSIONS_UPDATE,
    TABLES_GET_DATA,
)

logger = logging.getLogger(__name__)

SERVICE = "google.cloud.bigquery.storage.v1.BigQueryRead"
# BigQuery's sessions expire after six hours; so do these.
SESSION_LIFETIME = dt.timedelta(hours=6)
ARROW = types.DataFormat.ARROW.value
AVRO = types.DataFormat.AVRO.value

CreateReadSessionRequest = types.CreateReadSessionRequest.pb()
ReadRowsRequest = types.ReadRowsRequest.pb()
SplitReadStreamRequest = types.SplitReadStreamRequest.pb()
ReadSession = types.ReadSession.pb()
ReadStream = types.ReadStream.pb()
ReadRowsResponse = types.ReadRowsResponse.pb()
SplitReadStreamResponse = types.SplitReadStreamResponse.pb()

_TABLE = re.compile(r"^projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$")
_PARENT = re.compile(r"^projects/([^/]+)$")
_STREAM = re.compile(r"^projects/[^/]+/locations/[^/]+/sessions/[^/]+/streams/([^/]+)$")


@dataclass
class Caller:
    """Who makes one call: what the REST API's lookups read from a request."""

    principal: Any


@dataclass
class Session:
    name: str
    project_id: str
    table: tuple[str, str, str]
    read: reads.Read
    data_format: int
    expire_time: dt.datetime
    header: Any = None  # the schema, sent with the first response of every ReadRows

    @property
    def expired(self) -> bool:
        return self.expire_time <= timezone.now()


@dataclass
class Sessions:
    """The read sessions this server made, by stream id; expired ones go as new ones come."""

    streams: dict[str, tuple[Session, reads.Part]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, session: Session, parts: list[reads.Part]) -> list[str]:
        """Register parts as streams of session; return their names."""
        with self.lock:
            for key in [k for k, (s, _) in self.streams.items() if s.expired]:
                del self.streams[key]
            return [self._add(session, part) for part in parts]

    def _add(self, session: Session, part: reads.Part) -> str:
        key = secrets.token_urlsafe(18)
        self.streams[key] = (session, part)
        return f"{session.name}/streams/{key}"

    def find(self, name: str) -> tuple[Session, reads.Part]:
        match = _STREAM.match(name)
        with self.lock:
            found = self.streams.get(match[1]) if match else None
        if found is None or found[0].expired or not name.startswith(found[0].name + "/"):
            raise NotFoundError(
                f"Not found: stream {name} (it does not exist, or its session expired)"
            )
        return found

    def split(self, session: Session, halves: tuple[reads.Part, reads.Part]) -> list[str]:
        with self.lock:
            return [self._add(session, part) for part in halves]


def _grpc_call(method: Callable) -> Callable:
    """Run an RPC with the caller resolved and BigQuery's errors as gRPC statuses.

    Each RPC is a request to Django's database: old connections close before and after, as
    Django does around an HTTP request.
    """

    @functools.wraps(method)
    def unary(self: BigQueryRead, request: Any, context: grpc.ServicerContext) -> Any:
        with _answering(context):
            return method(self, _caller(context), request)

    return unary


def _streaming_call(method: Callable) -> Callable:
    @functools.wraps(method)
    def streaming(self: BigQueryRead, request: Any, context: grpc.ServicerContext) -> Iterator:
        with _answering(context):
            yield from method(self, _caller(context), request)

    return streaming


@contextlib.contextmanager
def _answering(context: grpc.ServicerContext) -> Iterator[None]:
    """Serve one call with fresh database connections, its failures as gRPC status codes."""
    db.close_old_connections()
    try:
        yield
    except BigQueryError as err:
        _abort(context, err)
    except Exception:
        _fail(context)
    finally:
        db.close_old_connections()


def _caller(context: grpc.ServicerContext) -> Caller:
    metadata = dict(context.invocation_metadata() or ())
    return Caller(principal_for(metadata.get("authorization", "")))


def _abort(context: grpc.ServicerContext, err: BigQueryError) -> None:
    status = GRPC_STATUS.get(STATUS_FOR_REASON.get(err.reason, 400), "INVALID_ARGUMENT")
    context.abort(grpc.StatusCode[status], err.message)


def _fail(context: grpc.ServicerContext) -> None:
    """Log a bug with its traceback and answer INTERNAL, as the REST API answers 500."""
    logger.exception("Storage Read API call failed")
    context.abort(grpc.StatusCode.INTERNAL, "Quarry failed to serve this call; see its log")


class BigQueryRead:
    """The three methods of BigQueryRead."""

    def __init__(self, sessions: Sessions | None = None) -> None:
        self.sessions = sessions or Sessions()

    @_grpc_call
    def CreateReadSession(self, caller: Caller, request: Any) -> Any:  # noqa: N802 (gRPC's)
        parent = _PARENT.match(request.parent)
        if parent is None:
            raise InvalidError(f"Invalid parent {request.parent!r}: expected projects/<project>")
        project = resources.get_project(caller, parent[1], READSESSIONS_CREATE)
        asked = request.read_session
        table = _table(caller, asked.table)
        if asked.data_format not in (ARROW, AVRO):
            raise InvalidError("read_session.data_format must be ARROW or AVRO")
        options = asked.read_options
        if options.sample_percentage:
            raise InvalidError("read_options.sample_percentage is not supported by Quarry")
        snapshot = None
        if asked.table_modifiers.HasField("snapshot_time"):
            snapshot = asked.table_modifiers.snapshot_time.ToDatetime(tzinfo=dt.UTC)
        read = reads.plan(table, list(options.selected_fields), options.row_restriction, snapshot)
        parts = reads.split(read, max(request.max_stream_count, 0))
        location = table.dataset.location.lower()
        session = Session(
            name=f"projects/{project.project_id}/locations/{location}/sessions/"
            + secrets.token_urlsafe(18),
            project_id=project.project_id,
            table=_table_parts(asked.table),
            read=read,
            data_format=asked.data_format,
            expire_time=timezone.now() + SESSION_LIFETIME,
        )
        reply = ReadSession(
            name=session.name,
            data_format=asked.data_format,
            table=asked.table,
            table_modifiers=asked.table_modifiers,
            read_options=options,
            estimated_total_bytes_scanned=read.estimated_bytes,
            estimated_row_count=read.num_rows,
            trace_id=asked.trace_id,
        )
        reply.expire_time.FromDatetime(session.expire_time)
        if asked.data_format == ARROW:
            reply.arrow_schema.serialized_schema = read.schema.serialize().to_pybytes()
            session.header = ("arrow_schema", reply.arrow_schema)
        else:
            reply.avro_schema.schema = avro.schema_json(read.fields)
            session.header = ("avro_schema", reply.avro_schema)
        names = self.sessions.add(session, parts)
        reply.streams.extend(ReadStream(name=name) for name in names)
        return reply

    @_streaming_call
    def ReadRows(self, caller: Caller, request: Any) -> Iterator[Any]:  # noqa: N802
        session, part = self._checked(caller, request.read_stream, READSESSIONS_GET_DATA)
        # The checks are done: no database connection stays open while rows stream.
        db.close_old_connections()
        encoder = avro.Encoder(session.read.fields) if session.data_format == AVRO else None
        total = max(part.stop - part.start, 1)
        done = request.offset
        first = True
        for batch in reads.batches(session.read, part, request.offset):
            reply = ReadRowsResponse(row_count=batch.num_rows)
            if encoder is None:
                reply.arrow_record_batch.serialized_record_batch = batch.serialize().to_pybytes()
                reply.arrow_record_batch.row_count = batch.num_rows
            else:
                reply.avro_rows.serialized_binary_rows = encoder.encode(batch)
                reply.avro_rows.row_count = batch.num_rows
            reply.uncompressed_byte_size = batch.nbytes
            # Measured in rows before the restriction filters them: an estimate, as BigQuery's.
            progress = reply.stats.progress
            progress.at_response_start = min(done / total, 1.0)
            done += batch.num_rows
            progress.at_response_end = min(done / total, 1.0)
            if first:
                kind, header = session.header
                getattr(reply, kind).CopyFrom(header)
                first = False
            yield reply

    @_grpc_call
    def SplitReadStream(self, caller: Caller, request: Any) -> Any:  # noqa: N802
        session, part = self._checked(caller, request.name, READSESSIONS_UPDATE)
        fraction = request.fraction or 0.5
        if not 0 < fraction < 1:
            raise InvalidError(f"Invalid fraction {request.fraction}: it must be in (0, 1)")
        halves = reads.split_part(session.read, part, fraction)
        if halves is None:
            return SplitReadStreamResponse()
        primary, remainder = self.sessions.split(session, halves)
        return SplitReadStreamResponse(
            primary_stream=ReadStream(name=primary), remainder_stream=ReadStream(name=remainder)
        )

    def _checked(self, caller: Caller, name: str, permission: str) -> tuple[Session, reads.Part]:
        """Return the stream name names, once the caller may still read its session's table."""
        session, part = self.sessions.find(name)
        resources.get_project(caller, session.project_id, permission)
        resources.get_table(caller, *session.table, TABLES_GET_DATA)
        return session, part


def _table_parts(name: str) -> tuple[str, str, str]:
    match = _TABLE.match(name)
    if match is None:
        raise InvalidError(
            f"Invalid table name {name!r}: expected projects/<project>/datasets/<dataset>/"
            "tables/<table>"
        )
    return match[1], match[2], match[3]


def _table(caller: Caller, name: str) -> Table:
    project_id, dataset_id, table_id = _table_parts(name)
    table = resources.get_table(caller, project_id, dataset_id, table_id, TABLES_GET_DATA)
    if table.expired:
        raise NotFoundError(f"Not found: Table {table.full_id}")
    return table


def handler(servicer: BigQueryRead) -> grpc.GenericRpcHandler:
    """Return the gRPC handler that routes BigQueryRead's methods to servicer."""
    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "CreateReadSession": grpc.unary_unary_rpc_method_handler(
                servicer.CreateReadSession,
                request_deserializer=CreateReadSessionRequest.FromString,
                response_serializer=ReadSession.SerializeToString,
            ),
            "ReadRows": grpc.unary_stream_rpc_method_handler(
                servicer.ReadRows,
                request_deserializer=ReadRowsRequest.FromString,
                response_serializer=ReadRowsResponse.SerializeToString,
            ),
            "SplitReadStream": grpc.unary_unary_rpc_method_handler(
                servicer.SplitReadStream,
                request_deserializer=SplitReadStreamRequest.FromString,
                response_serializer=SplitReadStreamResponse.SerializeToString,
            ),
        },
    )
