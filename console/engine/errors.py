"""Errors the engine reports to users, shaped like BigQuery's."""

from __future__ import annotations


class EngineError(Exception):
    """A user-facing failure: a BigQuery reason code, a message, and where it happened."""

    def __init__(self, message: str, reason: str = "invalidQuery", location: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.location = location

    def as_error_result(self) -> dict[str, str]:
        result = {"reason": self.reason, "message": self.message}
        if self.location:
            result["location"] = self.location
        return result


class NotFoundError(EngineError):
    def __init__(self, message: str) -> None:
        super().__init__(message, reason="notFound")


class DuplicateError(EngineError):
    def __init__(self, message: str) -> None:
        super().__init__(message, reason="duplicate")


class InvalidError(EngineError):
    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message, reason="invalid", location=location)


class ConcurrentUpdateError(EngineError):
    """Another writer committed a new version of the table after this one read it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="invalidQuery")
