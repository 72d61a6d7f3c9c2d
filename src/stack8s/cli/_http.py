"""Talking to a running Stack8s server: is one there, and calls with the user's token.

Kept light on purpose (httpx only): a command that finds a server never imports the planner,
the database driver or the embedding model.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"
HEALTH_TIMEOUT_S = 0.3
BUSY_TIMEOUT_S = 10.0
URL_HELP = "the server to use (else STACK8S_URL, else http://127.0.0.1:8000); in-process when none answers"
TOKEN_HELP = "access token sent as Bearer to the server (else STACK8S_TOKEN)"


class ServerError(Exception):
    """The server answered with an error: its `{error, detail}` body, as one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def server_url(url: str | None) -> str:
    return (url or os.environ.get("STACK8S_URL") or DEFAULT_URL).rstrip("/")


def reachable(http: httpx.Client, timeout: float = HEALTH_TIMEOUT_S) -> str | None:
    """None when a healthy server answers GET /health; else why not (for one line).

    Connecting must succeed within `timeout` (a refused or silent port means no server); a server that
    accepts the connection but is busy gets BUSY_TIMEOUT_S to answer."""
    try:
        response = http.get("/health", timeout=httpx.Timeout(BUSY_TIMEOUT_S, connect=timeout))
    except httpx.HTTPError as exc:
        return f"no server at {str(http.base_url).rstrip('/')} ({type(exc).__name__})"
    if response.status_code != 200:
        return f"the server at {str(http.base_url).rstrip('/')} is not healthy (HTTP {response.status_code})"
    return None


def client(url: str, token: str | None, timeout: float = 300.0) -> httpx.Client:
    token = token or os.environ.get("STACK8S_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=httpx.Timeout(timeout, connect=5.0))


def call(http: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    """The JSON body of a 2xx answer; a ServerError carrying the server's message otherwise."""
    try:
        response = http.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise ServerError(0, f"{method} {path} failed: {exc}") from exc
    if response.status_code >= 400:
        raise ServerError(response.status_code, _message(response))
    return response.json()


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if isinstance(body, dict) and "error" in body:
        detail = body.get("detail")
        return f"HTTP {response.status_code} {body['error']}" + (f": {detail}" if detail else "")
    return f"HTTP {response.status_code}: {str(body)[:200]}"
