"""Render every error as JSON `{error, detail}` with the right status. Never leak internals."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import InterfaceError, OperationalError
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from stack8s.errors import Stack8sError

log = logging.getLogger(__name__)


def _body(error: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": error, "detail": detail, **extra}


_SOURCES = ("body", "query", "path", "header")


def _location(loc: tuple[Any, ...]) -> str:
    """The field's dotted path without FastAPI's leading source ("body", "query", ...): a field that is
    itself named "query" (the search bodies) keeps its name."""
    parts = [str(p) for p in (loc[1:] if loc and loc[0] in _SOURCES else loc)]
    return ".".join(parts) or "body"


# Body errors are all 422 ValidationError. FastAPI turns a JSON syntax error into one, but answers any
# other body it cannot decode (invalid UTF-8, nesting too deep for the parser) with this 400.
_BODY_PARSE_FAILED = "There was an error parsing the body"
_NOT_AN_OBJECT = {"model_attributes_type", "model_type", "dict_type"}


def _field(err: dict[str, Any]) -> str:
    return "body" if err.get("type") == "json_invalid" else _location(tuple(err.get("loc", ())))


def _describe(err: dict[str, Any]) -> str:
    where = _field(err)
    if err.get("type") == "json_invalid":
        at = next((f" at character {p}" for p in err.get("loc", ())[1:2] if isinstance(p, int)), "")
        return f"request body is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')}{at})"
    if err.get("type") in _NOT_AN_OBJECT and tuple(err.get("loc", ())) == ("body",):
        return "request body must be a JSON object, sent with Content-Type: application/json"
    if err.get("type") == "extra_forbidden":
        return f"unknown field '{where}': remove it"
    limit = err.get("ctx", {})
    if err.get("type") == "string_too_short":
        return f"{where} is empty: send at least {limit.get('min_length', 1)} character(s)"
    if err.get("type") == "string_too_long":
        return f"{where} is too long: at most {limit.get('max_length')} characters"
    if err.get("type") == "uuid_parsing":
        return f"{where} must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"
    return f"{where}: {err.get('msg', 'invalid value')}"


def describe_errors(errors: Any) -> str:
    """Pydantic's errors of a tool's arguments (no FastAPI source in their location) as the API words them
    ("field: what is wrong"), without the rejected values or pydantic's documentation links."""
    return "; ".join(_describe({**e, "loc": ("body", *e.get("loc", ()))}) for e in errors) or "invalid arguments"


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(e), "message": _describe(e)} for e in exc.errors()]
    detail = "; ".join(e["message"] for e in errors) or "invalid request"
    return JSONResponse(status_code=422, content=_body("ValidationError", detail, errors=errors))


def _unreadable_body(exc: StarletteHTTPException) -> str | None:
    """Why FastAPI could not decode the request body (its 400 is raised from the cause), or None."""
    if exc.status_code != 400 or exc.detail != _BODY_PARSE_FAILED:
        return None
    cause = exc.__cause__
    if isinstance(cause, UnicodeError):
        return "request body is not valid JSON (it must be UTF-8 text)"
    if isinstance(cause, RecursionError):
        return "request body is not valid JSON (nested too deeply)"
    if isinstance(cause, ValueError):
        return "request body is not valid JSON"
    return None  # e.g. the client went away mid-body: there is nobody to tell


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Stack8sError)
    if exc.status_code >= 500:
        log.error("request.failed error=%s detail=%s", type(exc).__name__, exc.message)
    return JSONResponse(
        status_code=exc.status_code, content=_body(type(exc).__name__, exc.message), headers=exc.headers
    )


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem = _unreadable_body(exc)
    if problem is not None:
        errors = [{"field": "body", "message": problem}]
        return JSONResponse(status_code=422, content=_body("ValidationError", problem, errors=errors))
    return JSONResponse(status_code=exc.status_code, content=_body("HTTPError", str(exc.detail)), headers=exc.headers)


async def _pool_timeout(_: Request, exc: Exception) -> JSONResponse:
    log.error("db.pool.timeout")
    return JSONResponse(
        status_code=503,
        content=_body("ServiceUnavailable", "database is busy; retry shortly"),
        headers={"Retry-After": "1"},
    )


async def _database_lost(request: Request, exc: Exception) -> JSONResponse:
    """A connection-level error mid-request: the database went away. 503 with Retry-After, and the gate
    closes so the next requests are answered at once until it is back."""
    log.error("db.connection_lost path=%s error=%s", request.url.path, str(exc)[:200])
    state = request.scope.get("state") or {}
    if "db" in state:
        state["db"].mark_down(str(exc))
    return JSONResponse(
        status_code=503,
        content=_body("ServiceUnavailable", "the database is unavailable; retry shortly"),
        headers={"Retry-After": "2"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("request.crashed path=%s", request.url.path)
    return JSONResponse(status_code=500, content=_body("InternalError", "internal error; it has been logged"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Stack8sError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(PoolTimeout, _pool_timeout)
    app.add_exception_handler(OperationalError, _database_lost)
    app.add_exception_handler(InterfaceError, _database_lost)
    app.add_exception_handler(Exception, _unexpected)


class FieldError(BaseModel):
    field: str = Field(description="the field at fault, dotted (`body` for the body as a whole)")
    message: str = Field(description="what is wrong with it and how to fix it")


class ErrorBody(BaseModel):
    """Every error response: `error` names the kind, `detail` says what to fix."""

    error: str = Field(description="the kind of error", examples=["NotFound"])
    detail: str = Field(
        description="what went wrong and what to do about it",
        examples=["conversation 123e4567-e89b-12d3-a456-426614174000 not found"],
    )
    errors: list[FieldError] | None = Field(None, description="422 only: each invalid field")


_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}}
_ERRORS: dict[int, dict[str, Any]] = {
    401: {"description": "missing or invalid bearer token (a Supabase access token)"},
    404: {"description": "not found, or not the caller's (another user's conversation is answered as unknown)"},
    413: {"description": "the request body is larger than STACK8S_MAX_BODY_BYTES"},
    422: {"description": "invalid input: `detail` says what to fix, `errors` lists each field"},
    429: {
        "description": "too many messages of this conversation are still being answered: wait for the reply",
        "headers": _RETRY_AFTER,
    },
    503: {"description": "the database is unavailable or busy: retry after Retry-After", "headers": _RETRY_AFTER},
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these statuses, each with the `{error, detail}` body."""
    return {status: {**_ERRORS[status], "model": ErrorBody} for status in statuses}


ERROR_RESPONSES = error_responses(401, 422, 503)  # every authenticated route that reads the database
BODY_ERRORS = error_responses(413)  # routes that take a request body
CONVERSATION_ERRORS = error_responses(404)  # routes on one conversation


def error_payload(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and `{error, detail}` body for an exception raised where no handler can answer it (inside a
    response already being streamed), as the handlers above would answer it."""
    if isinstance(exc, Stack8sError):
        return exc.status_code, _body(type(exc).__name__, exc.message)
    if isinstance(exc, PoolTimeout):
        return 503, _body("ServiceUnavailable", "database is busy; retry shortly")
    if isinstance(exc, OperationalError | InterfaceError):
        return 503, _body("ServiceUnavailable", "the database is unavailable; retry shortly")
    return 500, _body("InternalError", "internal error; it has been logged")
