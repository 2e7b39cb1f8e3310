"""`python3 manage.py storage_read --port G`: serve the BigQuery Storage Read API (gRPC, TLS).

`manage.py serve` runs it beside the web server and the worker; it can also run on its own.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from console import tls
from console.api import grpc_server

# How long calls in flight may finish once asked to stop.
GRACE_S = 2


class Command(BaseCommand):
    help = "Serve the BigQuery Storage Read API over gRPC with TLS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        certificate = tls.ensure(settings.VAR_DIR / "tls")
        try:
            server, bound = grpc_server.start(host, port, certificate)
        except OSError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(
            f"Storage Read API: {host}:{bound} (TLS, CA at {certificate.cert_path})", ending="\n"
        )
        self.stdout.flush()
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        stopping.wait()
        server.stop(GRACE_S).wait()
