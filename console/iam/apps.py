from __future__ import annotations

from django.apps import AppConfig


class IamConfig(AppConfig):
    name = "console.iam"
    label = "iam"
    verbose_name = "IAM"
