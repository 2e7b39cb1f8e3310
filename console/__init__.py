"""Quarry's Django project; `celery -A console worker` finds the Celery app here."""

from __future__ import annotations

from console.celery import app as celery_app

__all__ = ["celery_app"]
