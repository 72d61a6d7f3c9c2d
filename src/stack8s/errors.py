"""Domain errors. Each carries its HTTP status; api/errors.py renders them all the same way.

Stack8sError
├── Unauthorized (401)        no token, or a token that does not verify
├── NotFound (404)            unknown, or not the caller's (we never say which)
├── Conflict (409)            e.g. a database embedded with another embedding model
├── Unprocessable (422)       a value outside what the endpoint accepts
├── TooManyRequests (429)     too many turns in flight on one conversation
└── ServiceUnavailable (503)  the database or a dependency is down
"""

from __future__ import annotations


class Stack8sError(Exception):
    status_code = 500

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers


class Unauthorized(Stack8sError):
    status_code = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class NotFound(Stack8sError):
    status_code = 404


class Conflict(Stack8sError):
    status_code = 409


class Unprocessable(Stack8sError):
    status_code = 422


class TooManyRequests(Stack8sError):
    status_code = 429

    def __init__(self, message: str, retry_after_seconds: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after_seconds)})


class ServiceUnavailable(Stack8sError):
    status_code = 503
