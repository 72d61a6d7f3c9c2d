"""Security headers on every HTTP response, as a pure ASGI middleware (streamed bodies pass through).

Every response gets, unless the app already set that header:
- `X-Content-Type-Options: nosniff`;
- `X-Frame-Options: DENY`, and a `Content-Security-Policy` that includes `frame-ancestors 'none'`;
- `Referrer-Policy: no-referrer`;
- `Cache-Control: no-store` under /api/ (answers are per user: no browser or proxy may keep them);
- `Strict-Transport-Security` only when the request came over HTTPS, i.e. `scope["scheme"] == "https"`:
  uvicorn sets that for TLS it terminates itself, and for `X-Forwarded-Proto: https` sent by a proxy it
  trusts (uvicorn's `--forwarded-allow-ips` / `FORWARDED_ALLOW_IPS`, loopback only by default). Any
  other client's `X-Forwarded-Proto` is ignored.

The Content-Security-Policy depends on what is answered:
- anything but HTML (JSON, files): `default-src 'none'`: nothing in it may load or run;
- an HTML page: scripts and styles from this origin, plus exactly the inline <script>/<style> blocks of
  that page, by sha256. The page is held back until its body is complete to hash them (pages are
  small; one over `max_html_bytes` is sent as it comes, with no inline code allowed);
- the API docs (Swagger UI, ReDoc and the OAuth2 redirect page, their assets served from this origin):
  also inline styles, data: images and fonts, and blob: workers (ReDoc's search). Nothing from another
  host.
A 304 gets no policy, so the one stored with the cached page stays in force.

`install(app)` puts the middleware outside Starlette's ServerErrorMiddleware, which `add_middleware`
cannot do, so 500 answers carry the headers too.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeadersMiddleware", "install"]

HSTS = "max-age=31536000"
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
MAX_HTML_BYTES = 1 << 20

_ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
_INLINE = re.compile(rb"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(rb"\ssrc\s*=", re.IGNORECASE)


def _inline_hashes(html: bytes) -> tuple[list[str], list[str]]:
    """CSP sources ('sha256-...') for the page's inline scripts and styles. Browsers hash the element's
    text with newlines normalised to LF; the page is UTF-8, so its bytes are that text's encoding."""
    scripts: list[str] = []
    styles: list[str] = []
    for match in _INLINE.finditer(html):
        tag, attributes, text = match.group(1).lower(), match.group(2), match.group(3)
        if not text or (tag == b"script" and _SRC.search(b" " + attributes)):
            continue
        digest = hashlib.sha256(text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")).digest()
        source = f"'sha256-{base64.b64encode(digest).decode()}'"
        target = scripts if tag == b"script" else styles
        if source not in target:
            target.append(source)
    return scripts, styles


def page_policy(html: bytes, *, docs: bool = False) -> str:
    """The Content-Security-Policy for one HTML page (see the module docstring)."""
    scripts, styles = _inline_hashes(html)
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'", *scripts],
        "style-src": ["'self'", *styles],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    if docs:
        # Swagger UI and ReDoc set styles at run time: inline styles are allowed here (so no style hashes,
        # which would switch 'unsafe-inline' off); inline scripts are still only the page's own.
        directives["style-src"] = ["'self'", "'unsafe-inline'"]
        directives["font-src"] = ["'self'", "data:"]
        directives["worker-src"] = ["'self'", "blob:"]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class SecurityHeadersMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        docs_paths: Iterable[str] = DOCS_PATHS,
        max_html_bytes: int = MAX_HTML_BYTES,
    ) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        self.max_html_bytes = max_html_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _app_path(scope)
        docs = path in self.docs_paths
        held: Message | None = None  # an HTML page's response start, until its body is complete
        chunks: list[bytes] = []
        size = 0

        async def release(policy: str) -> None:
            nonlocal held
            assert held is not None
            MutableHeaders(scope=held)["content-security-policy"] = policy
            start, held = held, None
            await send(start)

        async def send_secured(message: Message) -> None:
            nonlocal held, size
            if held is not None:
                if message["type"] != "http.response.body":  # e.g. pathsend: nothing to hash
                    await release(page_policy(b"", docs=docs))
                    await send(message)
                    return
                chunk = message.get("body", b"")
                chunks.append(chunk)
                size += len(chunk)
                more = bool(message.get("more_body", False))
                if not more or size > self.max_html_bytes:
                    body = b"".join(chunks)
                    chunks.clear()
                    await release(page_policy(b"" if more else body, docs=docs))
                    await send({"type": "http.response.body", "body": body, "more_body": more})
                return
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                if path.startswith("/api/"):
                    headers.setdefault("cache-control", "no-store")
                if scope.get("scheme") == "https":
                    headers.setdefault("strict-transport-security", HSTS)
                if "content-security-policy" not in headers and message["status"] != 304:
                    if headers.get("content-type", "").lower().startswith("text/html"):
                        held = message
                        return
                    headers["content-security-policy"] = API_POLICY
            await send(message)

        await self.app(scope, receive, send_secured)


def _app_path(scope: Scope) -> str:
    """The path within the app (without a root_path the server may have put in front of it)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def install(app: Starlette, *, docs_paths: Iterable[str] = DOCS_PATHS) -> None:
    """Wrap the whole middleware stack, ServerErrorMiddleware included, in SecurityHeadersMiddleware.
    `docs_paths`: the API docs pages (their policy lets Swagger UI and ReDoc run)."""
    build: Callable[[], ASGIApp] = app.build_middleware_stack
    paths = tuple(docs_paths)

    def build_secured() -> ASGIApp:
        return SecurityHeadersMiddleware(build(), docs_paths=paths)

    app.build_middleware_stack = build_secured  # type: ignore[method-assign]
