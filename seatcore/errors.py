"""The error tree. Every error a client can see has a stable ``code``.

    SeatcoreError                      500 internal_error
    ├── BadRequest                     400 bad_request
    │   ├── ValidationFailed           422 validation_failed
    │   ├── LayoutInvalid              422 layout_invalid
    │   └── PayloadTooLarge            413 payload_too_large
    ├── Unauthorized                   401 unauthorized
    │   └── LoginFailed                401 login_failed
    ├── Forbidden                      403 forbidden
    ├── NotFound                       404 not_found
    ├── Conflict                       409 conflict
    │   ├── ScheduleClash              409 schedule_clash
    │   └── SeatError                  409 (one code per seat rule, see seatcore.engine)
    ├── RateLimited                    429 rate_limited
    └── UpstreamUnavailable            503 upstream_unavailable

HTTP status and WebSocket close codes are chosen from these only at the edge (seatcore.api).
"""

from __future__ import annotations

from typing import Any, ClassVar


class SeatcoreError(Exception):
    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(SeatcoreError):
    code = "bad_request"
    status = 400


class ValidationFailed(BadRequest):
    code = "validation_failed"
    status = 422


class LayoutInvalid(BadRequest):
    code = "layout_invalid"
    status = 422


class PayloadTooLarge(BadRequest):
    code = "payload_too_large"
    status = 413


class Unauthorized(SeatcoreError):
    code = "unauthorized"
    status = 401


class LoginFailed(Unauthorized):
    code = "login_failed"


class Forbidden(SeatcoreError):
    code = "forbidden"
    status = 403


class NotFound(SeatcoreError):
    code = "not_found"
    status = 404


class Conflict(SeatcoreError):
    code = "conflict"
    status = 409


class ScheduleClash(Conflict):
    code = "schedule_clash"


class SeatError(Conflict):
    """A seat rule refused the change; ``code`` names the rule (seat_unavailable, stranded_seat...)."""

    code = "seat_unavailable"


class RateLimited(SeatcoreError):
    code = "rate_limited"
    status = 429


class UpstreamUnavailable(SeatcoreError):
    code = "upstream_unavailable"
    status = 503
