"""The one error family every layer raises: BigQuery's reason, a message, and where it happened.

The engine, the catalog, IAM and the front ends all raise `BigQueryError` (or a subclass that only
fixes its reason); each front end translates it once: the REST API through one reason → HTTP
status table (`console.api.errors`), the console and `bq` through one formatter each. This module
imports nothing of the project, so any layer may use it.
"""

from __future__ import annotations

# The reasons BigQuery's error bodies use (cloud.google.com/bigquery/docs/error-messages).
REASONS = frozenset(
    {
        "accessDenied",
        "authError",
        "backendError",
        "badRequest",
        "bytesBilledLimitExceeded",
        "conditionNotMet",
        "duplicate",
        "internalError",
        "invalid",
        "invalidQuery",
        "methodNotAllowed",
        "notFound",
        "quotaExceeded",
        "required",
        "resourceInUse",
        "resourcesExceeded",
        "stopped",
        "tableUnavailable",
    }
)
CANCELLED_MESSAGE = "Job execution was cancelled: User requested cancellation"


class BigQueryError(Exception):
    """A failure a user sees, worded and classified as BigQuery would."""

    reason = "invalid"

    def __init__(self, message: str, reason: str | None = None, location: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or type(self).reason
        self.location = location

    def as_error_result(self) -> dict[str, str]:
        """Return the error as a job's `errorResult` stores it."""
        result = {"reason": self.reason, "message": self.message}
        if self.location:
            result["location"] = self.location
        return result


class _FixedReason(BigQueryError):
    """A BigQueryError whose class names its reason: the second argument is the location."""

    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message, location=location)


class InvalidError(_FixedReason):
    reason = "invalid"


class NotFoundError(_FixedReason):
    reason = "notFound"


class DuplicateError(_FixedReason):
    reason = "duplicate"


class InUseError(_FixedReason):
    reason = "resourceInUse"


class AccessDenied(_FixedReason):
    """A refused permission: 403 on the API, the console's access-denied page, bq's exit 1."""

    reason = "accessDenied"


class StorageFullError(_FixedReason):
    """The storage dir had no room left for a write; nothing of the write was kept.

    resourcesExceeded, not backendError: the real client retries backendError for ten minutes,
    and a full disk does not empty itself.
    """

    reason = "resourcesExceeded"


class ConcurrentUpdateError(_FixedReason):
    """Another writer committed a new version of the table after this one read it."""

    reason = "invalidQuery"


class Cancelled(BigQueryError):
    """Someone asked the job to stop; it stops at its next checkpoint."""

    reason = "stopped"

    def __init__(self) -> None:
        super().__init__(CANCELLED_MESSAGE)
