"""The gRPC server that serves the Storage Read API, over TLS with the machine's certificate."""

from __future__ import annotations

from concurrent import futures

import grpc

from console import tls
from console.api import storage_read

# Every stream a reader opens holds one thread while it sends; clients open one per stream.
MAX_WORKERS = 32
OPTIONS = [
    # A ReadRows message is one record batch of a few MB; BigQuery sends up to 128 MB.
    ("grpc.max_send_message_length", -1),
    ("grpc.max_receive_message_length", -1),
    ("grpc.so_reuseport", 0),
]


def start(
    host: str,
    port: int,
    certificate: tls.Certificate,
    servicer: storage_read.BigQueryRead | None = None,
) -> tuple[grpc.Server, int]:
    """Start serving BigQueryRead on host:port (0: any free port); return the server and port."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=MAX_WORKERS), options=OPTIONS)
    servicer = servicer or storage_read.BigQueryRead()
    server.add_generic_rpc_handlers((storage_read.handler(servicer),))
    cert, key = certificate.read()
    credentials = grpc.ssl_server_credentials([(key, cert)])
    try:
        bound = server.add_secure_port(f"{host}:{port}", credentials)
    except RuntimeError:
        bound = 0
    if bound == 0:
        raise OSError(f"cannot listen on {host}:{port} for the Storage Read API")
    server.start()
    return server, bound
