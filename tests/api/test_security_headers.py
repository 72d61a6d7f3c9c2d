"""The HTTP edge against bad input (issue 10, item 4): security headers on every response, whoever
produced it (routes, exception handlers, 500s, the body-size limit, the web page, the API docs), and a
422 `{error, detail}` for every request body that cannot be read as a JSON object.

Most tests use the live server; a few serve a small app of their own (no database) to reach what the
live one cannot show on demand: Starlette's own 500 handler, a streamed body, a 304, an untrusted proxy."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import anyio.to_thread
import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from tests.conftest import LiveServer, free_port

from stack8s.api import errors, security
from stack8s.errors import ServiceUnavailable, TooManyRequests


def csp(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    directives = (d.split() for d in policy.split(";") if d.strip())
    return {name: sources for name, *sources in directives}


def assert_secured(response: httpx.Response, *, api: bool) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert csp(response)["frame-ancestors"] == ["'none'"]
    assert "strict-transport-security" not in headers  # plain HTTP
    if api:
        assert headers["cache-control"] == "no-store"


def assert_json_locked_down(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("application/json")
    assert csp(response) == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}


def inline_hashes(html: str, tag: str) -> set[str]:
    """What a browser hashes: the text of each inline element, newlines normalised to LF."""
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.DOTALL)
    digests = (hashlib.sha256(b.replace("\r\n", "\n").encode()).digest() for b in blocks)
    return {f"'sha256-{base64.b64encode(d).decode()}'" for d in digests}


# ---- the live server -----------------------------------------------------------------------------


def test_api_answers(client: httpx.Client) -> None:
    response = client.get("/api/v1/chat")
    assert response.status_code == 200
    assert_secured(response, api=True)
    assert_json_locked_down(response)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/api/v1/chat", {"headers": {"Authorization": ""}}, 401),
        ("GET", f"/api/v1/chat/{uuid.uuid4()}", {}, 404),
        ("GET", "/api/v1/no-such-route", {}, 404),
        ("PUT", "/api/v1/chat", {}, 405),
        ("GET", "/api/v1/chat/not-a-uuid", {}, 422),
        ("POST", "/api/v1/chat/message", {"json": {"message": "hi"}}, 422),
        ("POST", "/api/v1/chat/start", {"content": b"x" * 300_000}, 413),
    ],
    ids=["401", "404-conversation", "404-route", "405", "422-path", "422-body", "413"],
)
def test_api_errors(client: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int) -> None:
    response = client.request(method, path, **kwargs)
    assert response.status_code == status
    assert set(response.json()) >= {"error", "detail"}
    assert_secured(response, api=True)
    assert_json_locked_down(response)


@pytest.fixture
def raising(live: LiveServer) -> Iterator[str]:
    """A hidden route on the live app that raises what it is told to (removed afterwards)."""
    app = live.server.config.app
    failures: dict[str, Exception] = {
        "429": TooManyRequests("too many turns in flight on this conversation", retry_after_seconds=3),
        "503": ServiceUnavailable("the database is unavailable; retry shortly"),
        "500": RuntimeError("a bug"),
    }

    async def fail(kind: str) -> None:
        raise failures[kind]

    app.add_api_route("/api/v1/test-raise/{kind}", fail, include_in_schema=False)
    route = app.router.routes[-1]
    try:
        yield f"{live.url}/api/v1/test-raise"
    finally:
        app.router.routes.remove(route)


@pytest.mark.parametrize("status", [429, 503, 500])
def test_exception_handlers_and_500s(raising: str, status: int) -> None:
    response = httpx.get(f"{raising}/{status}")
    assert response.status_code == status
    assert set(response.json()) >= {"error", "detail"}
    assert "a bug" not in response.text
    assert_secured(response, api=True)
    assert_json_locked_down(response)


@pytest.mark.parametrize("path", ["/health", "/version", "/openapi.json", "/no-such-page"])
def test_outside_the_api(live: LiveServer, path: str) -> None:
    response = httpx.get(f"{live.url}{path}")
    assert_secured(response, api=False)
    assert_json_locked_down(response)
    assert "cache-control" not in response.headers


def test_the_web_page_may_run_exactly_its_own_inline_script_and_style(live: LiveServer) -> None:
    response = httpx.get(f"{live.url}/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert_secured(response, api=False)
    policy = csp(response)
    assert policy["default-src"] == ["'none'"]
    assert set(policy["script-src"]) == {"'self'"} | inline_hashes(response.text, "script")
    assert set(policy["style-src"]) == {"'self'"} | inline_hashes(response.text, "style")
    # nothing more (the page may have no inline code at all: then exactly 'self')
    assert len(policy["script-src"]) == 1 + len(inline_hashes(response.text, "script"))
    assert len(policy["style-src"]) == 1 + len(inline_hashes(response.text, "style"))
    assert policy["connect-src"] == ["'self'"]  # its fetch() calls to /api/v1
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/docs", "/docs/oauth2-redirect", "/redoc"])
def test_the_api_docs_run_from_this_origin_only(live: LiveServer, path: str) -> None:
    """Swagger UI and ReDoc are served from the package: their policy names no other host."""
    response = httpx.get(f"{live.url}{path}")
    assert response.status_code == 200
    assert_secured(response, api=False)
    policy = csp(response)
    assert policy["default-src"] == ["'none'"]
    assert set(policy["script-src"]) == {"'self'"} | inline_hashes(response.text, "script")
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # both set styles at run time
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["font-src"] == ["'self'", "data:"]
    assert policy["worker-src"] == ["'self'", "blob:"]  # ReDoc's search worker
    assert policy["connect-src"] == ["'self'"]  # /openapi.json and "try it out"
    assert not re.search(r"https?:|\*", response.headers["content-security-policy"])  # no other host, no wildcard
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', response.text) == []
    if path == "/docs":
        assert len(inline_hashes(response.text, "script")) == 1  # Swagger UI's start-up script


def test_hsts_only_over_https(live: LiveServer) -> None:
    """uvicorn trusts X-Forwarded-Proto from loopback by default (FORWARDED_ALLOW_IPS), as from a proxy
    on the same host that terminates TLS."""
    plain = httpx.get(f"{live.url}/api/v1/chat", headers={"Authorization": ""})
    assert "strict-transport-security" not in plain.headers
    forwarded = httpx.get(f"{live.url}/api/v1/chat", headers={"Authorization": "", "X-Forwarded-Proto": "https"})
    assert forwarded.headers["strict-transport-security"] == security.HSTS
    page = httpx.get(f"{live.url}/", headers={"X-Forwarded-Proto": "https"})
    assert page.headers["strict-transport-security"] == security.HSTS


# ---- bodies that cannot be read are 422, like any other invalid body ---------------------------------

DEEP = b"[" * 5000 + b"]" * 5000
BAD_BODIES = {
    "malformed-json": (b'{"message": ', "application/json", "not valid JSON"),
    "invalid-utf8": (b'{"title": "caf\xe9"}', "application/json", "UTF-8"),
    "invalid-utf8-no-content-type": (b'{"title": "\xff\xfe"}', None, "UTF-8"),
    "latin1-charset": (b'{"title": "caf\xe9"}', "application/json; charset=latin-1", "UTF-8"),
    "nested-too-deeply": (DEEP, "application/json", "nested too deeply"),
    "json-as-text-plain": (b'{"title": "x"}', "text/plain", "Content-Type: application/json"),
    "json-as-form": (b'{"title": "x"}', "application/x-www-form-urlencoded", "Content-Type: application/json"),
    "form-fields": (b"title=x", "application/x-www-form-urlencoded", "JSON object"),
    "json-array": (b"[]", "application/json", "JSON object"),
    "json-string": (b'"x"', "application/json", "JSON object"),
}


@pytest.mark.parametrize("path", ["/api/v1/chat/start", "/api/v1/chat/message"])
@pytest.mark.parametrize(("body", "content_type", "fragment"), list(BAD_BODIES.values()), ids=list(BAD_BODIES))
def test_unreadable_bodies_are_422(
    client: httpx.Client, path: str, body: bytes, content_type: str | None, fragment: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(path, content=body, headers=headers)
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["error"] == "ValidationError"
    assert fragment in payload["detail"]
    assert payload["errors"] == [{"field": "body", "message": payload["detail"]}]
    assert_secured(response, api=True)


def test_a_json_body_without_content_type_is_still_read(client: httpx.Client) -> None:
    response = client.post("/api/v1/chat/start", content=b'{"title": "no header"}')
    assert response.status_code == 200 and response.json()["title"] == "no header"


def test_malformed_json_names_the_position(client: httpx.Client) -> None:
    response = client.post("/api/v1/chat/start", content=b'{"title": }', headers={"Content-Type": "application/json"})
    assert response.json()["detail"] == "request body is not valid JSON (Expecting value at character 10)"


# ---- a small app of our own ----------------------------------------------------------------------

PAGE = '<html><head><style>p { color: red; }</style><script src="/x.js"></script></head>\r\n<body><script>\r\nlet a = 1;\r\n</script></body></html>'  # noqa: E501


def small_app(release: threading.Event) -> FastAPI:
    app = FastAPI()
    errors.install(app)
    security.install(app)

    @app.get("/api/boom")
    async def boom() -> None:  # no RequestIdMiddleware here: Starlette's ServerErrorMiddleware answers
        raise RuntimeError("a bug")

    @app.get("/api/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"part": 1}\n'
            await anyio.to_thread.run_sync(release.wait, 10)
            yield b'{"part": 2}\n'

        return StreamingResponse(chunks(), media_type="application/x-ndjson")

    @app.get("/page")
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/page/cached")
    async def cached() -> Response:
        return Response(status_code=304, headers={"content-type": "text/html; charset=utf-8"})

    return app


@contextmanager
def serve(app: FastAPI, **config: Any) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def release() -> threading.Event:
    return threading.Event()


@pytest.fixture(scope="module")
def small(release: threading.Event) -> Iterator[str]:
    with serve(small_app(release)) as url:
        yield url


def test_starlettes_own_500_is_covered(small: str) -> None:
    response = httpx.get(f"{small}/api/boom")
    assert response.status_code == 500
    assert response.json()["error"] == "InternalError" and "a bug" not in response.text
    assert_secured(response, api=True)
    assert_json_locked_down(response)


def test_streamed_bodies_are_not_held_back(small: str, release: threading.Event) -> None:
    with httpx.stream("GET", f"{small}/api/stream", timeout=5) as response:
        assert_secured(response, api=True)
        parts = response.iter_raw()
        assert next(parts) == b'{"part": 1}\n'  # arrives while the route is still waiting
        release.set()
        assert b"".join(parts) == b'{"part": 2}\n'


def test_page_hashes_are_what_a_browser_computes(small: str) -> None:
    response = httpx.get(f"{small}/page")
    assert response.text == PAGE
    policy = csp(response)
    assert policy["script-src"] == ["'self'", *inline_hashes(PAGE, "script")]  # not the external one
    assert policy["style-src"] == ["'self'", *inline_hashes(PAGE, "style")]
    assert inline_hashes(PAGE, "script") == inline_hashes("<script>\nlet a = 1;\n</script>", "script")


def test_a_304_keeps_the_policy_of_the_cached_page(small: str) -> None:
    response = httpx.get(f"{small}/page/cached")
    assert response.status_code == 304
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(("trusted", "hsts"), [("127.0.0.1", True), ("192.0.2.1", False)])
def test_x_forwarded_proto_counts_only_from_a_trusted_proxy(release: threading.Event, trusted: str, hsts: bool) -> None:
    with serve(small_app(release), forwarded_allow_ips=trusted) as url:
        response = httpx.get(f"{url}/page", headers={"X-Forwarded-Proto": "https"})
    assert ("strict-transport-security" in response.headers) is hsts
