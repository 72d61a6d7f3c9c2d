"""The API docs work offline (issue 12, item 4): Swagger UI and ReDoc load only assets served by the app
itself, vendored in the package with their sources and licences; the schema documents every route, its
error bodies and examples, and the message limit the running service enforces."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import jsonschema
import pytest
from tests.conftest import JWT_SECRET, LiveServer, make_settings, start_server, token_for

import stack8s

VENDOR = Path(stack8s.__file__).parent / "web" / "static" / "vendor" / "docs"
DOCS_PAGES = ["/docs", "/redoc", "/docs/oauth2-redirect"]
ERROR_BODY = "#/components/schemas/ErrorBody"
METHODS = {"get", "post", "put", "patch", "delete"}
_REFERENCE = re.compile(r"""\b(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|\burl:\s*'([^']+)'""", re.IGNORECASE)
CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
    ".json": ("application/json",),
}


def references(html: str) -> list[str]:
    """Every URL a docs page loads: script/link/img sources, ReDoc's spec-url, Swagger UI's `url:`."""
    return [a or b for a, b in _REFERENCE.findall(html)]


@pytest.fixture(scope="module")
def schema(live: LiveServer) -> dict[str, Any]:
    response = httpx.get(f"{live.url}/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


# ---- the pages and their assets -------------------------------------------------------------------------


@pytest.mark.parametrize("path", DOCS_PAGES)
def test_docs_pages_load_nothing_from_another_host(live: LiveServer, path: str) -> None:
    response = httpx.get(f"{live.url}{path}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    for url in references(html):
        assert not urlsplit(url).netloc and not url.startswith("//"), f"{path} loads {url} from another host"
    assert not re.findall(r"https?://", html), "no absolute URL at all: nothing points away from this origin"
    assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_every_asset_of_a_docs_page_is_served_with_its_type(live: LiveServer, path: str) -> None:
    page = f"{live.url}{path}"
    found = references(httpx.get(page).text)
    expected = {"/docs": 4, "/redoc": 3}[path]  # Swagger: css, favicon, bundle, schema; ReDoc: favicon, schema, bundle
    assert len(found) == expected, found
    assert "/openapi.json" in found
    for url in found:
        response = httpx.get(urljoin(page, url))
        assert response.status_code == 200, url
        kinds = CONTENT_TYPES[Path(urlsplit(url).path).suffix]
        assert response.headers["content-type"].split(";")[0] in kinds, (url, response.headers["content-type"])
        assert len(response.content) > 0


def test_the_swagger_ui_start_up_skips_the_online_validator(live: LiveServer) -> None:
    html = httpx.get(f"{live.url}/docs").text
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in html


def sources_table() -> dict[str, str]:
    text = (VENDOR / "SOURCES.md").read_text()
    return dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.MULTILINE))


def test_vendored_assets_are_the_published_files_with_their_licences(live: LiveServer) -> None:
    listed = sources_table()
    assert set(listed) == {
        "swagger-ui/swagger-ui-bundle.js",
        "swagger-ui/swagger-ui.css",
        "swagger-ui/favicon-32x32.png",
        "redoc/redoc.standalone.js",
    }
    for name, digest in listed.items():
        data = (VENDOR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, f"{name} differs from the file SOURCES.md records"
        assert httpx.get(f"{live.url}/static/vendor/docs/{name}").content == data  # served as shipped
    for licence in ("swagger-ui/LICENSE", "swagger-ui/NOTICE", "redoc/LICENSE"):
        assert (VENDOR / licence).stat().st_size > 0
    text = (VENDOR / "SOURCES.md").read_text()
    assert "swagger-ui-dist" in text and "5.35.0" in text and "Apache-2.0" in text
    assert "redoc" in text and "2.5.4" in text and "MIT" in text


# ---- the schema -------------------------------------------------------------------------------------------


def test_every_operation_has_a_summary_and_a_description(schema: dict[str, Any]) -> None:
    ops = list(operations(schema))
    paths = {path for path, _, _ in ops}
    assert {"/health", "/version", "/api/v1/chat/message", "/api/v1/chat/message/stream"} <= paths
    assert "/api/v1/chat/{conversation_id}/artifacts" in paths and "/api/v1/catalog/stats" in paths
    assert not any(p.startswith(("/mcp", "/docs", "/redoc", "/static")) or p == "/" for p in paths)
    for path, method, operation in ops:
        assert operation.get("summary", "").strip(), f"{method.upper()} {path} has no summary"
        assert operation.get("description", "").strip(), f"{method.upper()} {path} has no description"
    summaries = [op["summary"] for _, _, op in ops]
    assert len(set(summaries)) == len(summaries), "each operation has its own summary"


def error_schema(operation: dict[str, Any], status: str) -> str | None:
    response = operation["responses"].get(status)
    if response is None:
        return None
    ref: str | None = response["content"]["application/json"]["schema"]["$ref"]
    return ref


def test_error_responses_document_the_error_body(schema: dict[str, Any]) -> None:
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"error", "detail"}
    assert {"error", "detail", "errors"} <= set(body["properties"])
    for path, method, operation in operations(schema):
        if not path.startswith("/api/v1/"):
            continue
        documented = {s for s in operation["responses"] if s[0] in "45"}
        assert {"401", "422", "503"} <= documented, f"{method.upper()} {path}: {sorted(documented)}"
        for status in documented:
            assert error_schema(operation, status) == ERROR_BODY, f"{method.upper()} {path} {status}"
        if "requestBody" in operation:
            assert "413" in documented, f"{method.upper()} {path}"
        if "{conversation_id}" in path or path.startswith("/api/v1/chat/message"):
            assert "404" in documented, f"{method.upper()} {path}"
    for path in ("/api/v1/chat/message", "/api/v1/chat/message/stream"):
        limited = schema["paths"][path]["post"]["responses"]["429"]
        assert error_schema(schema["paths"][path]["post"], "429") == ERROR_BODY
        assert "Retry-After" in limited["headers"]
    health = schema["paths"]["/health"]["get"]["responses"]["503"]
    assert health["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Health"


def test_the_stream_is_documented_as_server_sent_events(schema: dict[str, Any]) -> None:
    ok = schema["paths"]["/api/v1/chat/message/stream"]["post"]["responses"]["200"]
    assert list(ok["content"]) == ["text/event-stream"]
    for word in ("event: stage", "event: reply", "event: error", "elapsed_ms", "compute_search"):
        assert word in ok["description"]


def test_request_bodies_have_examples_that_fit_their_schema(schema: dict[str, Any]) -> None:
    with_bodies = set()
    for path, method, operation in operations(schema):
        if "requestBody" not in operation:
            continue
        with_bodies.add(f"{method.upper()} {path}")
        content = operation["requestBody"]["content"]["application/json"]
        examples = content.get("examples") or {}
        assert examples, f"{method.upper()} {path} has no request example"
        body_schema = {**content["schema"], "components": schema["components"]}
        for name, example in examples.items():
            assert example["summary"], (path, name)
            jsonschema.Draft202012Validator(body_schema).validate(example["value"])
    assert with_bodies >= {
        "POST /api/v1/chat/start",
        "POST /api/v1/chat/message",
        "POST /api/v1/chat/message/stream",
        "PATCH /api/v1/chat/{conversation_id}",
        "POST /api/v1/tools/compute/search",
        "POST /api/v1/tools/k8s/search",
        "POST /api/v1/tools/hf/search",
        "POST /api/v1/tools/performance/estimate",
    }


# ---- the message limit comes from the settings --------------------------------------------------------

SMALL_LIMIT = 500


@pytest.fixture(scope="module")
def small_limit(tmp_path_factory: pytest.TempPathFactory, db_dsn: str) -> Iterator[LiveServer]:
    settings = make_settings(
        tmp_path_factory.mktemp("limit"),
        DATABASE_URL=db_dsn,
        SUPABASE_JWT_SECRET=JWT_SECRET,
        STACK8S_MAX_MESSAGE_CHARS=SMALL_LIMIT,
    )
    server = start_server(settings)
    yield server
    server.stop()


def message_limit(url: str) -> int:
    body = httpx.get(f"{url}/openapi.json").json()["components"]["schemas"]["ChatMessageIn"]
    limit: int = body["properties"]["message"]["maxLength"]
    assert f"{limit:,} characters" in body["properties"]["message"]["description"]
    return limit


def test_the_documented_message_limit_is_the_setting(live: LiveServer, small_limit: LiveServer) -> None:
    assert live.settings.max_message_chars != SMALL_LIMIT
    assert message_limit(live.url) == live.settings.max_message_chars
    assert message_limit(small_limit.url) == SMALL_LIMIT
    # ... and it is the limit enforced: one character over is refused, the limit itself is answered.
    headers = {"Authorization": f"Bearer {token_for(str(uuid.uuid4()))}"}
    with httpx.Client(base_url=small_limit.url, headers=headers, timeout=60) as client:
        cid = client.post("/api/v1/chat/start").json()["conversation_id"]
        over = client.post("/api/v1/chat/message", json={"conversation_id": cid, "message": "x" * (SMALL_LIMIT + 1)})
        assert over.status_code == 422 and f"the limit is {SMALL_LIMIT}" in over.json()["detail"]
        at = client.post("/api/v1/chat/message", json={"conversation_id": cid, "message": "x" * SMALL_LIMIT})
        assert at.status_code == 200, at.text
