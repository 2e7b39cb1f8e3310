"""BigQuery's error shape: a reason code, an HTTP status that follows from it, and a message.

The real client retries 500/502/503/429 and the reasons backendError, internalError,
rateLimitExceeded and badGateway for ten minutes, so a user's mistake must never map to them.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

STATUS_FOR_REASON = {
    "invalid": 400,
    "invalidQuery": 400,
    "required": 400,
    "badRequest": 400,
    "bytesBilledLimitExceeded": 400,
    "resourceInUse": 400,
    "resourcesExceeded": 400,
    "tableUnavailable": 400,
    "stopped": 400,
    "authError": 401,
    "accessDenied": 403,
    "quotaExceeded": 403,
    "notFound": 404,
    "methodNotAllowed": 405,
    "duplicate": 409,
    "conditionNotMet": 412,
}
GRPC_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "INVALID_ARGUMENT",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    500: "INTERNAL",
}
# Job failures whose stored reason would make the client re-run the query for 40 minutes.
RETRIED_JOB_REASONS = {
    "backendError",
    "internalError",
    "rateLimitExceeded",
    "badGateway",
    "jobBackendError",
    "jobInternalError",
    "jobRateLimitExceeded",
}


def public_error(error: dict[str, Any]) -> dict[str, Any]:
    """Return a job's error result as clients should see it: never a reason they retry forever."""
    if error.get("reason") in RETRIED_JOB_REASONS:
        return {**error, "reason": "invalid"}
    return error


def error_response(
    message: str, reason: str = "invalid", location: str = "", status: int | None = None
) -> JsonResponse:
    """Return BigQuery's error body for one error."""
    code = status or STATUS_FOR_REASON.get(reason, 400)
    item: dict[str, Any] = {"message": message, "domain": "global", "reason": reason}
    if location:
        item["location"] = location
        item["locationType"] = "other"
    body = {
        "error": {
            "code": code,
            "message": message,
            "errors": [item],
            "status": GRPC_STATUS.get(code, "INVALID_ARGUMENT"),
        }
    }
    return JsonResponse(body, status=code)
