"""The API docs, served from the package (no CDN): Swagger UI at /docs, ReDoc at /redoc, from the assets
vendored in web/static/vendor/docs (see its SOURCES.md); and the OpenAPI schema with the limits of the
running service's settings."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from stack8s.settings import Settings

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"
DOCS_PATHS = (DOCS_URL, OAUTH2_REDIRECT_URL, REDOC_URL)
ASSETS = "/static/vendor/docs"
SWAGGER_UI = {"validatorUrl": None}  # no badge fetched from validator.swagger.io


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the docs pages (create the app with docs_url=None, redoc_url=None) and the schema."""
    _limit_schema(app, settings)

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters=SWAGGER_UI,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/swagger-ui/favicon-32x32.png",
            with_google_fonts=False,
        )


def _root(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def _limit_schema(app: FastAPI, settings: Settings) -> None:
    """The schema states the message limit the service enforces (STACK8S_MAX_MESSAGE_CHARS), not the
    model's hard cap."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()  # FastAPI's, cached in app.openapi_schema: amended in place, once
            message_limit(schema, settings.max_message_chars)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def message_limit(schema: dict[str, Any], max_chars: int) -> None:
    schemas = schema.get("components", {}).get("schemas", {})
    found = [body for name, body in schemas.items() if name.split("-")[0] == "ChatMessageIn"]
    if not found:
        raise RuntimeError("ChatMessageIn is not in the OpenAPI schema")
    for body in found:
        message = body["properties"]["message"]
        message["maxLength"] = max_chars
        message["description"] = f"the user's message: 1 to {max_chars:,} characters (STACK8S_MAX_MESSAGE_CHARS)"
