"""`python3 manage.py serve`: everything a person needs to use Quarry, in one command."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from console import services, tls
from console.catalog.models import Project
from console.iam.models import RoleBinding
from console.jobs import queues


class Command(BaseCommand):
    help = "Migrate, then run a broker (if needed), a Celery worker and the console web server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument(
            "--grpc-port",
            type=int,
            default=None,
            help="Port of the Storage Read API (gRPC over TLS); default: --port + 1",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        concurrency: int,
        grpc_port: int | None,
        **options: Any,
    ) -> None:
        grpc_port = port + 1 if grpc_port is None else grpc_port
        if not services.port_free(host, port):
            raise CommandError(f"Port {port} on {host} is in use; pass --port to pick another")
        if not services.port_free(host, grpc_port):
            raise CommandError(
                f"Port {grpc_port} on {host} is in use; pass --grpc-port to pick another"
            )
        certificate = tls.ensure(settings.VAR_DIR / "tls")
        call_command("migrate", interactive=False, verbosity=0)
        login = self._ensure_admin()

        children: list[services.Supervised] = []
        redis_url = services.local_redis_url()
        if redis_url is None:
            private = services.PrivateRedis(settings.VAR_DIR / "redis")
            redis_url = private.url
            self.stdout.write(f"Started a private Redis on {private.socket_path}")
            children.append(services.Supervised("private Redis", private.restart))
        else:
            self.stdout.write(f"Using Redis at {redis_url}")
        # The catalog names the queue; the children get it spelled out, as any worker may.
        env = {"REDIS_URL": redis_url, "QUARRY_QUEUE": queues.name()}
        settings.BROKER_URL_FILE.write_text(redis_url + "\n")
        try:
            # Named after its queue: two instances on one host are two distinct workers.
            name = env["QUARRY_QUEUE"]
            children.append(
                services.Supervised(
                    "worker",
                    lambda: services.start_worker(env, name=name, concurrency=concurrency),
                )
            )
            children.append(services.Supervised("web server", lambda: _start_web(host, port, env)))
            children.append(
                services.Supervised(
                    "Storage Read API", lambda: _start_storage_read(host, grpc_port, env)
                )
            )
            self.stdout.write(
                self.style.SUCCESS(f"\nQuarry console: http://{host}:{port}/\n")
                + f"Sign in as {login}\n"
                + f"Admin: http://{host}:{port}/admin/ (the same account)\n"
                + self._api_access_line()
                + f"Storage Read API: {host}:{grpc_port} (TLS, CA at {certificate.cert_path})\n"
                + "  Clients trust it with GRPC_DEFAULT_SSL_ROOTS_FILE_PATH="
                + f"{certificate.cert_path} (docs/storage-read.md).\n"
                + "Press Ctrl+C to stop everything.\n"
            )
            signal.signal(signal.SIGTERM, _interrupt)
            while True:
                # A process that dies is started again: the console outlives a crashed worker,
                # and the worker's jobs are ended by the lease sweep (docs/reliability.md).
                for child in children:
                    line = child.poll()
                    if line:
                        self.stderr.write(line)
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping Quarry ...")
        finally:
            settings.BROKER_URL_FILE.unlink(missing_ok=True)
            for child in reversed(children):
                child.stop()

    def _ensure_admin(self) -> str:
        """Create the local owner on first run and return how to sign in as it."""
        password_file = settings.VAR_DIR / "admin-password.txt"
        user_model = get_user_model()
        admin = user_model.objects.filter(username="admin").first()
        if admin is None:
            password = secrets.token_urlsafe(12)
            admin = user_model.objects.create_superuser("admin", "admin@localhost", password)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            RoleBinding.grant(Project.default(), admin, "roles/owner")
        if password_file.exists():
            password = password_file.read_text().strip()
            return f"admin, password {password} (kept in {password_file})"
        return "admin (you changed its password; var/admin-password.txt is gone)"

    def _api_access_line(self) -> str:
        if settings.QUARRY_ANONYMOUS_ACCESS:
            return (
                "REST API: anonymous access is ON (local default): requests without an API key "
                "act as roles/bigquery.admin.\n  Set QUARRY_ANONYMOUS_ACCESS=false to require "
                "keys (create them on the console's API keys page).\n"
            )
        return "REST API: API keys required (Authorization: Bearer <key>).\n"


def _start_web(host: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"{host}:{port}", "--noreload", "--insecure"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env, "QUARRY_NO_BOOTSTRAP": "1"},
    )


def _start_storage_read(host: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    # A command of the api app, started by name: the cli layer does not import the api.
    return subprocess.Popen(
        [sys.executable, "manage.py", "storage_read", "--host", host, "--port", str(port)],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env, "QUARRY_NO_BOOTSTRAP": "1"},
        stdout=subprocess.DEVNULL,
    )


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt
