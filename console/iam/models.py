"""Role bindings (who holds which role in which project) and per-user API keys, stored hashed."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from console.catalog.models import Project
from console.iam.roles import ROLE_CHOICES, ROLES

KEY_PREFIX = "qk_"
# last_used is a hint for people, not an audit log: one write a minute per key is enough.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _now() -> datetime.datetime:
    return timezone.now()


class UnknownMember(ValueError):
    """A `user:NAME` member that names nobody, or a member kind Quarry does not have."""


def find_member(member: str) -> models.Model:
    """Return the user a gcloud-style member (`user:NAME`, NAME a username or email) names."""
    kind, _, name = member.partition(":")
    if kind != "user" or not name:
        raise UnknownMember(
            f"Invalid member {member!r}: Quarry knows members of the form user:NAME"
        )
    user_model = get_user_model()
    user = user_model.objects.filter(username=name).first()
    if user is None:
        user = user_model.objects.filter(email__iexact=name).order_by("pk").first()
    if user is None:
        raise UnknownMember(f"User {name} does not exist.")
    return user


def member_name(user: models.Model) -> str:
    return f"user:{user.get_username()}"


class RoleBinding(models.Model):
    """One member holding one predefined role on a whole project, as in Cloud IAM."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="role_bindings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_bindings"
    )
    role = models.CharField(max_length=64, choices=ROLE_CHOICES)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "role"], name="unique_binding")
        ]

    def __str__(self) -> str:
        return f"{member_name(self.user)} {self.role} on {self.project}"

    @classmethod
    def grant(cls, project: Project, user: models.Model, role: str) -> RoleBinding:
        """Bind role to user on project; granting a role already held changes nothing."""
        if role not in ROLES:
            raise ValueError(
                f"Role {role} is not a predefined role; choose one of {', '.join(ROLES)}"
            )
        binding, _ = cls.objects.get_or_create(project=project, user=user, role=role)
        return binding

    @classmethod
    def revoke(cls, project: Project, user: models.Model, role: str) -> bool:
        """Remove the binding; return False if the user did not hold the role."""
        deleted, _ = cls.objects.filter(project=project, user=user, role=role).delete()
        return bool(deleted)

    @classmethod
    def policy(cls, project: Project) -> list[tuple[str, list[str]]]:
        """Return the project's bindings grouped by role: [(role, [member, ...]), ...]."""
        grouped: dict[str, list[str]] = {}
        for binding in cls.objects.filter(project=project).select_related("user"):
            grouped.setdefault(binding.role, []).append(member_name(binding.user))
        return [(role, sorted(members)) for role, members in sorted(grouped.items())]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiKey(models.Model):
    """A secret that lets a program act as its user on the REST API; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=16, help_text="The key's first characters, to tell keys apart"
    )
    hashed = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=_now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: models.Model, name: str) -> tuple[ApiKey, str]:
        """Create a key for user; return it and the token, which is shown this once only."""
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        key = cls.objects.create(user=user, name=name, prefix=token[:10], hashed=_hash(token))
        return key, token

    @classmethod
    def user_for_token(cls, token: str) -> models.Model | None:
        """Return the active user a live key belongs to, or None; records when it was used."""
        key = (
            cls.objects.filter(hashed=_hash(token), revoked__isnull=True)
            .select_related("user")
            .first()
        )
        if key is None or not key.user.is_active:
            return None
        now = _now()
        if key.last_used is None or now - key.last_used > LAST_USED_RESOLUTION:
            cls.objects.filter(pk=key.pk).update(last_used=now)
        return key.user

    def revoke(self) -> None:
        if self.revoked is None:
            self.revoked = _now()
            self.save(update_fields=["revoked"])
