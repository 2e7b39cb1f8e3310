"""The Celery app: configuration comes from Django settings under the CELERY_ namespace."""

from __future__ import annotations

import os

from celery import Celery
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

app = Celery("console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["console.jobs"])
# Every worker re-queues PENDING jobs and ends jobs of lost workers (docs/reliability.md).
app.steps["consumer"].add("console.jobs.sweep:Sweeper")


def _connparams_while_open(channel: kombu_redis.Channel, asynchronous: bool = False) -> dict:
    """Return kombu's Redis connection parameters, or raise a connection error once it closed.

    When the broker dies twice in quick succession, Celery's consumer closes a connection that
    kombu already collected: its channel then tries to restore unacknowledged messages through a
    transport whose client is None, and kombu's AttributeError is "unrecoverable" — the worker
    exits. A connection error instead is what the consumer expects there: it reconnects. (The
    messages are not lost: Redis keeps them in its unacked set, and PENDING jobs are re-queued.)
    """
    if channel.connection is None or channel.connection.client is None:
        raise RedisConnectionError("the connection to the broker was already closed")
    return _kombu_connparams(channel, asynchronous=asynchronous)


_kombu_connparams = kombu_redis.Channel._connparams
kombu_redis.Channel._connparams = _connparams_while_open
